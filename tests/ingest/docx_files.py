"""Word documents built as Word writes them, for the tests: a zip of XML parts whose paragraph styles are
named in styles.xml and whose lists are defined in numbering.xml."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# style ids as a German Word names them: the heading is found by its name ("heading 1"), not by its id
STYLES = {
    "Titel": "Title",
    "berschrift1": "heading 1",
    "berschrift2": "heading 2",
    "Listenabsatz": "List Paragraph",
    "Code": "Code",
}
NUMBERING = f"""<w:numbering xmlns:w="{W}">
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl>
<w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>"""

Block = tuple[str, object]  # (style id or "bullet"/"number"/"table"/"header table", text or rows)


def paragraph(style: str | None, text: str, num: tuple[int, int] | None = None) -> str:
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num is not None:
        props += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    runs = "<w:r><w:br/></w:r>".join(
        f'<w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r>' for line in text.split("\n")
    )
    return f"<w:p><w:pPr>{props}</w:pPr>{runs}</w:p>"


def docx_bytes(blocks: list[Block]) -> bytes:
    """A .docx holding `blocks`: (style id, text) paragraphs, ("bullet" | "number", text) list items (a text
    starting with two spaces is a level-2 bullet), ("table", rows of cells), ("header table", rows of cells: the
    first repeated as the header row)."""
    body = []
    for kind, content in blocks:
        if kind in ("table", "header table"):
            rows = "".join(
                "<w:tr>"
                + ("<w:trPr><w:tblHeader/></w:trPr>" if kind == "header table" and not i else "")
                + "".join(f"<w:tc>{paragraph(None, cell)}</w:tc>" for cell in row)
                + "</w:tr>"
                for i, row in enumerate(content)  # type: ignore[arg-type]
            )
            body.append(f"<w:tbl><w:tblPr/>{rows}</w:tbl>")
        elif kind in ("bullet", "number"):
            text = str(content)
            level = 1 if text.startswith("  ") else 0
            body.append(paragraph("Listenabsatz", text.strip(), (1 if kind == "bullet" else 2, level)))
        else:
            body.append(paragraph(kind or None, str(content)))
    styles = "".join(
        f'<w:style w:type="paragraph" w:styleId="{sid}"><w:name w:val="{name}"/></w:style>'
        for sid, name in STYLES.items()
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>",
        )
        archive.writestr(
            "word/document.xml", f'<w:document xmlns:w="{W}"><w:body>{"".join(body)}<w:sectPr/></w:body></w:document>'
        )
        archive.writestr("word/styles.xml", f'<w:styles xmlns:w="{W}">{styles}</w:styles>')
        archive.writestr("word/numbering.xml", NUMBERING)
    return out.getvalue()

// The source panel: the cited document's text around the highlighted span (GET /api/sources/<doc>), its
// breadcrumbs, and for a code citation the line-numbered snippet the server sends in `citation.code`.

import { api, docUrl } from "./api.js";
import { $, announce, el, truncate } from "./dom.js";
import { appendWithMath } from "./math.js";
import { openPanel, sourcePanel } from "./panels.js";

const CONTEXT_CHARS = 1500;
const HIGHLIGHT_SPOKEN_CHARS = 400;
const els = {
  title: $("source-title"),
  doc: $("source-doc"),
  breadcrumbs: $("source-breadcrumbs"),
  status: $("source-status"),
  code: $("source-code"),
  text: $("source-text"),
  close: $("close-source"),
  guide: $("source-guide"),
};
let opened = 0; // the latest openSource call: an earlier one's late reply is dropped

function renderBreadcrumbs(crumbs) {
  els.breadcrumbs.textContent = "";
  const items = crumbs.filter(Boolean);
  els.breadcrumbs.hidden = !items.length; // an empty navigation landmark is noise to a screen reader
  if (items.length) els.breadcrumbs.appendChild(el("ol", null, items.map((crumb) => el("li", { text: crumb }))));
}

// The server's offsets count characters (code points); a JS string counts UTF-16 units, two for an emoji or any
// other character past U+FFFF. Each span, in order, as UTF-16 indices into `text`, found in one pass.
function unitSpans(text, spans) {
  let unit = 0;
  let point = 0;
  const toUnit = (target) => {
    while (point < target && unit < text.length) {
      unit += text.codePointAt(unit) > 0xffff ? 2 : 1;
      point += 1;
    }
    return unit;
  };
  return spans.map(({ start, end }) => ({ start: toUnit(start), end: toUnit(end) }));
}

// The text with each highlighted span ([{start, end}], in order) as a <mark>, cut to CONTEXT_CHARS either side
// of them: a citation's quoted sentences are marked one by one, the text between them is not.
function renderHighlighted(text, pointSpans) {
  const pre = els.text;
  pre.textContent = "";
  if (!pointSpans.length) {
    appendWithMath(pre, text);
    return;
  }
  const spans = unitSpans(text, pointSpans);
  const from = Math.max(0, spans[0].start - CONTEXT_CHARS);
  const to = Math.min(text.length, spans[spans.length - 1].end + CONTEXT_CHARS);
  if (from > 0) pre.appendChild(el("span", { className: "elided", text: "…\n" }));
  let at = from;
  const marks = spans.map(({ start, end }) => {
    appendWithMath(pre, text.slice(at, start));
    at = end;
    return pre.appendChild(appendWithMath(el("mark", { className: "highlight" }), text.slice(start, end)));
  });
  appendWithMath(pre, text.slice(at, to));
  if (to < text.length) pre.appendChild(el("span", { className: "elided", text: "\n…" }));
  marks[0].scrollIntoView({ block: "center" });
}

function renderCode(citation) {
  const first = citation.line_start;
  const last = citation.line_end;
  els.code.textContent = "";
  els.code.appendChild(el("p", { className: "hint", text: "Lines " + first + "–" + last }));
  const label = "Code, lines " + first + " to " + last;
  els.code.appendChild(el("pre", { className: "code-lines", tabindex: 0, "aria-label": label }, [
    el("code", { text: citation.code }),
  ]));
  els.code.hidden = false;
}

// Open the panel on `target`: a Citation ({n, kind, doc, breadcrumbs, start, end, spans, symbol, code, ...}:
// its `spans` are marked, start-end only covers them), a nearest passage (a Hit, shown with n null), or a
// whole document (start null). `guide`: an element shown above the text (a document's outline and
// questions), kept while its entries are opened.
export async function openSource(target, opener, guide = null) {
  openPanel(sourcePanel, opener);
  if (guide) {
    if (guide.parentNode !== els.guide) els.guide.replaceChildren(guide);
  } else {
    els.guide.replaceChildren();
  }
  els.guide.hidden = !guide;
  els.text.hidden = false;
  els.title.textContent = target.n ? "Source [" + target.n + "]" : guide ? "Guide" : "Passage";
  els.doc.textContent = target.doc + (target.kind === "code" && target.symbol ? " · " + target.symbol : "");
  renderBreadcrumbs(target.breadcrumbs);
  els.status.textContent = "Loading the source…";
  els.text.textContent = "";
  els.code.textContent = "";
  els.code.hidden = true;
  if (!guide || !guide.contains(opener)) els.close.focus();
  const mine = ++opened;

  const whole = target.start === null || target.start === undefined;
  const query = whole ? "" : "?" + new URLSearchParams({ start: String(target.start), end: String(target.end) });
  let source;
  try {
    source = await api(docUrl("api/sources/", target.doc) + query);
  } catch (err) {
    if (mine !== opened) return;
    els.status.textContent = "Could not load the source: " + err.message;
    return;
  }
  if (mine !== opened) return;
  els.status.textContent = "";
  const spans = target.spans || (source.highlight ? [source.highlight] : []);
  renderHighlighted(source.text, spans);
  if (target.code) renderCode(target);
  if (spans.length && !guide) announce(highlightNotice(target, els.text.querySelectorAll("mark")));
}

// Focus stays on the panel's Close button (Escape goes back to the citation): say what is highlighted, so a
// screen reader user hears the quote without hunting for it.
function highlightNotice(target, marks) {
  const quoted = Array.from(marks, (mark) => {
    const copy = mark.cloneNode(true); // a typeset formula is read as the TeX it came from, not twice over
    for (const math of copy.querySelectorAll(".math")) math.replaceWith(math.dataset.tex || "");
    return copy.textContent;
  }).join(" … ");
  const where = target.n ? "Source [" + target.n + "], " : "Passage, ";
  return where + target.doc + ". Highlighted: " + truncate(quoted, HIGHLIGHT_SPOKEN_CHARS);
}

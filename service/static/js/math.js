// TeX in notes, sources and answers, typeset by KaTeX (vendored under static/vendor at install time, never
// from a CDN). Delimiters: \( \) and $ $ (inline; pandoc's rule, so "$5 and $10" stays text), $$ $$, \[ \]
// and LaTeX's display environments (\begin{align} ... \end{align}, equation, gather, multline ...: display).
// A formula KaTeX cannot parse, or a page without the vendored files, shows the raw TeX.
// Copying a selection gives back the TeX as written.

// Loaded in the background so the page never waits for it: a formula drawn before it arrives is
// typeset when it does; without the vendored file (or on a load error) formulas stay raw text.
let katex = null;
export const katexReady = import("../vendor/katex/katex.js").then(
  (module) => { katex = module.default; },
  () => { katex = null; },
);

const DELIMITERS = [
  { open: "$$", close: "$$", display: true },
  { open: "\\[", close: "\\]", display: true },
  { open: "\\(", close: "\\)", display: false },
];
const INLINE_DOLLAR = { open: "$", close: "$", display: false };

// LaTeX's display environments (core/formulas.py DISPLAY_ENVIRONMENTS), each typeset as the starred one KaTeX
// knows: a quote is no place for an equation number (its "(1)" is not the notes' numbering), and KaTeX has no
// multline, flalign, eqnarray or displaymath. Its \end is looked for in the next MAX_ENVIRONMENT_CHARS only, so
// thousands of unclosed \begin{equation} do not each scan the whole note.
const ENVIRONMENT = /\\begin\{(equation|align|alignat|flalign|gather|multline|eqnarray|displaymath)(\*?)\}/y;
const KATEX_ENVIRONMENT = {
  equation: "equation*", align: "align*", alignat: "alignat*", flalign: "align*",
  gather: "gather*", multline: "gather*", eqnarray: "align*", displaymath: "equation*",
};
const MAX_ENVIRONMENT_CHARS = 5000;
const LABEL = /\\label\{[^{}]*\}/g; // KaTeX knows no \label: a formula with one would show raw

// The display environment that opens at text[i]: {tex, raw, display, end}, or null.
function environmentAt(text, i) {
  ENVIRONMENT.lastIndex = i;
  const open = ENVIRONMENT.exec(text);
  if (!open) return null;
  const close = "\\end{" + open[1] + open[2] + "}";
  const from = i + open[0].length;
  const at = text.slice(from, from + MAX_ENVIRONMENT_CHARS + close.length).indexOf(close);
  if (at === -1) return null;
  const name = KATEX_ENVIRONMENT[open[1]];
  const tex = "\\begin{" + name + "}" + text.slice(from, from + at) + "\\end{" + name + "}";
  const end = from + at + close.length;
  return { tex, raw: text.slice(i, end), display: true, end };
}

// Inline $x$ as pandoc reads it: the opening $ is not escaped and has a non-space right after it; the closing
// $ has a non-space right before it, is not escaped and no digit follows it ("$5 and $10" is no formula);
// no blank line or backtick between them (`$HOME` and `$PATH` are code).
function inlineDollarClose(text, i) {
  if (text[i] !== "$" || text[i - 1] === "\\" || text[i + 1] === "$" || !/\S/.test(text[i + 1] || " ")) return -1;
  for (let j = i + 2; j < text.length; j += 1) {
    if ((text[j] === "\n" && text[j + 1] === "\n") || text[j] === "`") return -1;
    if (text[j] === "$" && text[j - 1] !== "\\") {
      return /\s/.test(text[j - 1]) || /\d/.test(text[j + 1] || "") ? -1 : j;
    }
  }
  return -1;
}

// "a \(x^2\) b" -> [{text: "a "}, {tex: "x^2", raw: "\\(x^2\\)", display: false}, {text: " b"}].
export function splitMath(text) {
  const out = [];
  let plain = "";
  let i = 0;
  while (i < text.length) {
    const environment = text[i] === "\\" ? environmentAt(text, i) : null;
    if (environment) {
      if (plain) out.push({ text: plain });
      plain = "";
      out.push({ tex: environment.tex, raw: environment.raw, display: true });
      i = environment.end;
      continue;
    }
    let delim = DELIMITERS.find((d) => text.startsWith(d.open, i));
    let close = delim ? text.indexOf(delim.close, i + delim.open.length) : -1;
    if (!delim && (close = inlineDollarClose(text, i)) !== -1) delim = INLINE_DOLLAR;
    if (delim && close > i + delim.open.length) {
      if (plain) out.push({ text: plain });
      plain = "";
      const end = close + delim.close.length;
      out.push({ tex: text.slice(i + delim.open.length, close), raw: text.slice(i, end), display: delim.display });
      i = end;
    } else {
      plain += text[i];
      i += 1;
    }
  }
  if (plain) out.push({ text: plain });
  return out;
}

export const hasMath = (text) => splitMath(text).some((part) => part.tex !== undefined);

// One formula: a span carrying its TeX (data-tex) with KaTeX's rendering inside, or the raw TeX.
export function mathElement(part) {
  const span = document.createElement("span");
  span.className = part.display ? "math math-display" : "math";
  span.dataset.tex = part.raw;
  span.textContent = part.raw;
  if (katex) typeset(span, part);
  else katexReady.then(() => { if (katex) typeset(span, part); });
  return span;
}

function typeset(span, part) {
  try {
    const tex = part.tex.replace(LABEL, "");
    katex.render(tex, span, { displayMode: part.display, throwOnError: true, trust: false, strict: "ignore" });
  } catch (_) {
    span.textContent = part.raw;
    span.classList.add("math-error");
    span.title = "This formula could not be typeset; shown as written.";
  }
}

// Append `text` to `parent` as text nodes, with its formulas typeset.
export function appendWithMath(parent, text) {
  for (const part of splitMath(text)) {
    parent.appendChild(part.tex === undefined ? document.createTextNode(part.text) : mathElement(part));
  }
  return parent;
}

// A display formula is a block, so a citation written right after it ("... $$ [2]") would start a line of its
// own. The citations that follow a display formula (nothing but spaces between), with the sentence's final stop
// after them, move beside it: a span.math-block holds the formula (its own span, which KaTeX may fill later)
// and them in one row.
export function keepCitationsWithFormulas(root, selector = ".citation") {
  for (const formula of root.querySelectorAll(".math-display")) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    walker.currentNode = formula;
    let node = walker.nextSibling() || nextOutside(walker, formula, root);
    const cites = [];
    while (node) {
      if (node.nodeType === Node.TEXT_NODE && !node.data.trim()) {
        node = walker.nextNode();
      } else if (node.nodeType === Node.TEXT_NODE && cites.length && /^[.,;:!?]$/.test(node.data.trim())) {
        cites.push(node);  // the sentence's final stop, written after its citations
        break;
      } else if (node.nodeType === Node.ELEMENT_NODE && node.matches(selector)) {
        cites.push(node);
        node = walker.nextSibling() || nextOutside(walker, node, root);
      } else if (node.nodeType === Node.ELEMENT_NODE && !node.matches(".math")
                 && (node.tagName === "SPAN" || !node.textContent.trim())) {
        node = walker.nextNode();  // a sentence's span (look inside it), or a <br>
      } else {
        break;
      }
    }
    if (!cites.length) continue;
    const block = document.createElement("span");
    block.className = "math-block";
    formula.replaceWith(block);
    block.append(formula, ...cites);
  }
  return root;
}

// The node after `node`'s subtree in document order, within `root` (null past its end).
function nextOutside(walker, node, root) {
  for (let up = node; up && up !== root; up = up.parentNode) {
    walker.currentNode = up;
    const next = walker.nextSibling();
    if (next) return next;
  }
  return null;
}

// Copy: a typeset formula in the selection becomes its TeX again.
function texOfSelection(selection) {
  const range = selection.getRangeAt(0);
  const start = range.startContainer.parentElement && range.startContainer.parentElement.closest(".math");
  if (start && start === (range.endContainer.parentElement && range.endContainer.parentElement.closest(".math"))) {
    return start.dataset.tex;
  }
  const fragment = range.cloneContents();
  const formulas = fragment.querySelectorAll(".math");
  if (!formulas.length) return null;
  for (const formula of formulas) formula.replaceWith(document.createTextNode(formula.dataset.tex || ""));
  return fragment.textContent;
}

document.addEventListener("copy", (event) => {
  const selection = window.getSelection();
  if (!selection || !selection.rangeCount || selection.isCollapsed) return;
  const tex = texOfSelection(selection);
  if (tex === null || !event.clipboardData) return;
  event.clipboardData.setData("text/plain", tex);
  event.preventDefault();
});

// An answer's sentences rendered as Markdown (lists, emphasis, code blocks) by marked, sanitized by
// DOMPurify (both vendored under static/vendor), with each sentence still marked (supported or not), its
// [n] citations as buttons and its TeX typeset. Markup a note or a model writes is never trusted: raw HTML
// is escaped into visible text, and the sanitizer (no attributes at all) checks what Markdown produced.

import { mathElement, splitMath } from "./math.js";

const escapeHtml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

// Loaded in the background so the page never waits for them; until they arrive (or without the vendored
// files) answers render as plain sentences.
let marked = null;
let purify = null;
export const markdownReady = Promise.all([import("../vendor/marked/marked.js"), import("../vendor/dompurify/purify.js")]).then(
  ([markedModule, purifyModule]) => {
    // HTML in an answer (quoted from a note, or written by the model) is shown as the text it is
    const html = (token) => escapeHtml(token.text);
    marked = new markedModule.Marked({ gfm: true, breaks: true, async: false, renderer: { html } });
    purify = purifyModule.default;
  },
  () => { marked = null; },
);

export const markdownAvailable = () => Boolean(marked && purify);

const ALLOWED_TAGS = [
  "p", "br", "ul", "ol", "li", "em", "strong", "del", "code", "pre", "blockquote",
  "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
];
// Private-use characters stand in for what Markdown must not touch: sentence bounds, citations, formulas.
const OPEN = "\uE000";
const SEP = "\uE001";
const CLOSE = "\uE002";
const CITE = "\uE003";
const MATH = "\uE004";
const END = "\uE005";
const BLOCK_START = /^\s*(?:(?:[-*+]|\d+[.)])\s+|#{1,6}\s+|>\s*|(?:```|~~~)[^\n]*\n)/;
const CLOSING_FENCE = /\n[ \t]*(?:```|~~~)[ \t]*$/;
const TOKEN = /\uE000(\d+)\uE001|\uE002|\uE003(\d+)\uE005|\uE004(\d+)\uE005/g;

// sentences: [{text, supported, citations: [n], separator}], each split by `parts(sentence)` into
// {head, tail} around its " [n]" markers (null: no markers).
export function renderMarkdown(target, sentences, parts, citationButton) {
  const formulas = [];
  const protect = (text) => splitMath(text).map((p) => {
    if (p.tex === undefined) return p.text.replace(/[\uE000-\uE005]/g, "");
    formulas.push(p);
    return MATH + (formulas.length - 1) + END;
  }).join("");
  let source = "";
  sentences.forEach((sentence, i) => {
    const split = sentence.citations.length ? parts(sentence) : null;
    const body = split
      ? protect(split.head) + sentence.citations.map((n) => " " + CITE + n + END).join("") + protect(split.tail)
      : protect(sentence.text);
    // the sentence's mark goes after a list marker, heading or quote, so Markdown still sees the block
    const block = body.match(BLOCK_START);
    const lead = block ? block[0] : "";
    // and a fenced block's mark ends before its closing fence, which must stand alone on its line to close it
    const rest = body.slice(lead.length);
    const fence = /^\s*(?:```|~~~)/.test(lead) ? rest.match(CLOSING_FENCE) : null;
    const inner = fence ? rest.slice(0, fence.index) : rest;
    source += lead + OPEN + i + SEP + inner + CLOSE + (fence ? fence[0] : "");
    if (i < sentences.length - 1 && sentence.separator) source += sentence.separator;
  });
  const html = marked.parse(source);
  const fragment = purify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR: [], RETURN_DOM_FRAGMENT: true });
  demoteHeadings(fragment);
  const walker = document.createTreeWalker(fragment, NodeFilter.SHOW_TEXT);
  const textNodes = [];
  while (walker.nextNode()) textNodes.push(walker.currentNode);
  let current = null; // index of the sentence the text belongs to
  const started = new Set();
  for (const node of textNodes) {
    const inCode = Boolean(node.parentElement && node.parentElement.closest("code, pre"));
    const replacement = [];
    const push = (child) => {
      if (current === null) { replacement.push(child); return; }
      const sentence = sentences[current];
      const first = !started.has(current);
      started.add(current);
      const span = document.createElement("span");
      span.className = (first ? "sentence" : "sentence-part") + (sentence.supported ? "" : " unsupported");
      if (!sentence.supported) span.title = "No passage in your notes supports this sentence.";
      span.appendChild(child);
      replacement.push(span);
    };
    let last = 0;
    const text = node.data;
    for (const match of text.matchAll(TOKEN)) {
      if (match.index > last) push(document.createTextNode(text.slice(last, match.index)));
      last = match.index + match[0].length;
      if (match[1] !== undefined) {
        current = Number(match[1]);
      } else if (match[0] === CLOSE) {
        if (current !== null && !sentences[current].supported) {
          const note = document.createElement("span");
          note.className = "visually-hidden";
          note.textContent = " (not supported by your notes)";
          push(note);
        }
        current = null;
      } else if (match[2] !== undefined) {
        push(citationButton(Number(match[2])));
      } else {
        const formula = formulas[Number(match[3])];
        push(inCode ? document.createTextNode(formula.raw) : mathElement(formula));
      }
    }
    if (last < text.length) push(document.createTextNode(text.slice(last)));
    node.replaceWith(...replacement);
  }
  target.appendChild(fragment);
  target.classList.add("markdown");
}

// An answer sits under the page's h1 and the chat's h2: a note's "# Title" quoted in it becomes an h3, and so
// on down, so a screen reader's list of headings keeps its order.
function demoteHeadings(fragment) {
  for (const heading of fragment.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const demoted = document.createElement("h" + Math.min(6, Number(heading.tagName[1]) + 2));
    demoted.append(...heading.childNodes);
    heading.replaceWith(demoted);
  }
}

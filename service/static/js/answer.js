// One finished answer, drawn from the Answer the API sends: the body from `answer.sentences` (each one's
// text, its `citations` as [n] buttons, `supported: false` marked), then the source list, or the nearest
// passages when the answer abstained.

import { breadcrumbText, el, truncate } from "./dom.js";
import { markdownAvailable, renderMarkdown } from "./markdown.js";
import { appendWithMath, keepCitationsWithFormulas, splitMath } from "./math.js";
import { openSource } from "./sources.js";

const NEAREST_PREVIEW_CHARS = 280;

function citationLabel(citation) {
  const where = breadcrumbText(citation.breadcrumbs) || citation.doc;
  return "Source " + citation.n + ": " + citation.doc + (where !== citation.doc ? ", " + where : "");
}

function citationButton(citation) {
  return el("button", {
    type: "button",
    className: "citation",
    "data-n": citation.n,
    "aria-label": "Open " + citationLabel(citation),
    title: citationLabel(citation),
    text: "[" + citation.n + "]",
    onclick: (event) => openSource(citation, event.currentTarget),
  });
}

// The server writes a sentence's citations as " [n]" markers, in `citations` order, before its final
// punctuation (or at its end): "W stays frozen [1] [2]." -> {head: "W stays frozen", tail: "."}.
// Null when the markers are not there; the sentence is then shown as plain text.
function splitMarkers(text, numbers) {
  const marks = numbers.map((n) => " [" + n + "]").join("");
  const last = text.slice(-1);
  if (last && ".!?".includes(last) && text.slice(0, -1).endsWith(marks)) {
    return { head: text.slice(0, -1 - marks.length), tail: last };
  }
  if (text.endsWith(marks)) return { head: text.slice(0, text.length - marks.length), tail: "" };
  return null;
}

function renderSentence(sentence, citations) {
  const wrapper = el("span", { className: sentence.supported ? "sentence" : "sentence unsupported" });
  const parts = sentence.citations.length ? splitMarkers(sentence.text, sentence.citations) : null;
  if (parts) {
    appendWithMath(wrapper, parts.head);
    for (const n of sentence.citations) {
      const citation = citations.get(n);
      wrapper.append(" ", citation ? citationButton(citation) : "[" + n + "]");
    }
    if (parts.tail) wrapper.append(parts.tail);
  } else {
    appendWithMath(wrapper, sentence.text);
  }
  if (!sentence.supported) {
    wrapper.title = "No passage in your notes supports this sentence.";
    wrapper.appendChild(el("span", { className: "visually-hidden", text: " (not supported by your notes)" }));
  }
  return wrapper;
}

function renderSourceList(container, citations) {
  const list = el("ol", { className: "source-list", "aria-label": "Sources" });
  for (const citation of citations) {
    const crumbs = breadcrumbText(citation.breadcrumbs);
    const symbol = citation.kind === "code" && citation.symbol ? " · " + citation.symbol : "";
    list.appendChild(el("li", null, [
      el("button", {
        type: "button",
        className: "source-link",
        "data-n": citation.n,
        "aria-label": "Open " + citationLabel(citation),
        onclick: (event) => openSource(citation, event.currentTarget),
      }, [
        el("span", { className: "source-n", text: "[" + citation.n + "]" }),
        " ",
        el("span", { className: "source-docname", text: citation.doc + symbol }),
        crumbs ? el("span", { className: "source-crumbs", text: " — " + crumbs }) : null,
      ]),
    ]));
  }
  container.appendChild(el("details", { className: "sources", open: "" }, [
    el("summary", { text: "Sources (" + citations.length + ")" }),
    list,
  ]));
}

// The passages closest to an abstained question (Hits): each opens in the source panel.
function renderNearest(container, nearest) {
  const section = el("section", { className: "nearest", "aria-label": "Nearest passages in your notes" }, [
    el("h3", { text: nearest.length ? "Nearest passages in your notes" : "No nearby passages found." }),
  ]);
  const list = el("ol", { className: "nearest-list" });
  for (const hit of nearest) {
    const crumbs = breadcrumbText(hit.breadcrumbs);
    list.appendChild(el("li", null, [
      el("button", {
        type: "button",
        className: "nearest-link",
        "aria-label": "Open passage from " + hit.doc + (crumbs ? ", " + crumbs : ""),
        onclick: (event) => openSource(Object.assign({}, hit, { n: null }), event.currentTarget),
      }, [
        el("span", { className: "source-docname", text: hit.doc }),
        crumbs ? el("span", { className: "source-crumbs", text: " — " + crumbs }) : null,
      ]),
      appendWithMath(el("p", { className: "nearest-text" }), truncate(hit.text, NEAREST_PREVIEW_CHARS)),
    ]));
  }
  if (nearest.length) section.appendChild(list);
  container.appendChild(section);
}

// Replace the streamed text in `shell.body` with the checked answer; sources go in `shell.extras`.
export function renderAnswer(shell, answer) {
  const citations = new Map(answer.citations.map((c) => [c.n, c]));
  shell.body.textContent = "";
  if (markdownAvailable()) {
    const button = (n) => (citations.get(n) ? citationButton(citations.get(n)) : document.createTextNode("[" + n + "]"));
    renderMarkdown(shell.body, answer.sentences, (s) => splitMarkers(s.text, s.citations), button);
  } else {
    answer.sentences.forEach((sentence, i) => {
      shell.body.appendChild(renderSentence(sentence, citations));
      // what followed the sentence in the answer (a space or line breaks); the answer text ends without one
      if (i < answer.sentences.length - 1 && sentence.separator) shell.body.append(sentence.separator);
    });
  }
  keepCitationsWithFormulas(shell.body);
  // a follow-up ("how is it merged?") is searched with the conversation's topic: say what was searched
  if (answer.query && answer.query !== answer.question) {
    shell.extras.appendChild(el("p", { className: "hint searched-for", text: "Searched the notes for: " + answer.query }));
  }
  if (answer.abstained) {
    shell.article.classList.add("abstained");
    renderNearest(shell.extras, answer.nearest);
  } else if (answer.citations.length) {
    renderSourceList(shell.extras, answer.citations);
  }
}

// A formula read aloud: its TeX without delimiters, backslashes and braces ("\(1 - \beta_1^t\)" -> "1 - beta_1^t").
function speakable(text) {
  return splitMath(text)
    .map((part) => {
      if (part.tex === undefined) return part.text;
      return " " + part.tex.replace(/\\([a-zA-Z]+)/g, "$1").replace(/[{}\\]/g, "") + " ";
    })
    .join("").replace(/\s+/g, " ").trim();
}

// What a screen reader says once the answer is checked: its text without the [n] markers, which the page shows
// as buttons, then how many sources it cites.
export function spokenAnswer(answer) {
  const text = answer.sentences.map((s) => {
    const parts = s.citations.length ? splitMarkers(s.text, s.citations) : null;
    return speakable(parts ? parts.head + parts.tail : s.text);
  }).join(" ");
  if (answer.abstained) return text || "Your notes do not cover this question."; // the text already says so
  const n = answer.citations.length;
  return "Answer: " + text + (n ? " (" + n + (n === 1 ? " source" : " sources") + ")" : "");
}

// Source guides: a document opened from the Documents panel shows its outline (the inferred section tree,
// each entry opening its span highlighted) and the questions it suggests (GET /api/guide/<doc>); an empty
// chat offers a few of the notes' questions as starters (GET /api/guide).

import { api, docUrl } from "./api.js";
import { ask, busy } from "./chat.js";
import { $, el } from "./dom.js";
import { appendWithMath } from "./math.js";
import { closePanel, sourcePanel } from "./panels.js";
import { scopeToDocument } from "./scope.js";
import { openQuiz } from "./quiz.js";
import { openSource } from "./sources.js";

function askQuestion(question) {
  if (busy()) return;
  closePanel(sourcePanel, false);
  $("question").focus(); // the starter or guide button pressed is hidden now: keep the keyboard in the chat
  ask(question);
}

function outlineList(guide, entries, view) {
  const list = el("ul", { className: "outline-list" });
  for (const entry of entries) {
    const target = { doc: guide.doc, start: entry.start, end: entry.end, breadcrumbs: [guide.title, ...entry.path], n: null };
    const item = el("li", null, [
      el("button", {
        type: "button",
        className: "outline-entry",
        "data-start": entry.start,
        "data-end": entry.end,
        "aria-label": "Show section " + entry.path.join(" › "),
        onclick: (event) => openSource(target, event.currentTarget, view),
      }, [appendWithMath(el("span"), entry.title)]),
    ]);
    if (entry.children.length) item.appendChild(outlineList(guide, entry.children, view));
    list.appendChild(item);
  }
  return list;
}

function questionList(questions) {
  const list = el("ul", { className: "guide-questions" });
  for (const suggestion of questions) {
    list.appendChild(el("li", null, [
      el("button", {
        type: "button",
        className: "guide-question " + suggestion.kind,
        title: suggestion.kind === "flashcard" ? "A question from your flashcards" : "From a section title",
        onclick: () => askQuestion(suggestion.question),
      }, [appendWithMath(el("span"), suggestion.question)]),
    ]));
  }
  return list;
}

function guideView(guide) {
  const view = el("div", { className: "guide" });
  view.appendChild(el("div", { className: "guide-actions" }, [
    el("button", {
      type: "button", className: "guide-scope", text: "Ask only this document",
      onclick: () => scopeToDocument(guide.doc),
    }),
    el("button", {
      type: "button", className: "guide-quiz", text: "Quiz me",
      onclick: (event) => openQuiz(guide.doc, event.currentTarget),
    }),
  ]));
  view.appendChild(el("details", { className: "guide-outline", open: "" }, [
    el("summary", { text: "Outline (" + guide.outline.length + ")" }),
    outlineList(guide, guide.outline, view),
  ]));
  if (guide.questions.length) {
    view.appendChild(el("details", { className: "guide-suggested", open: "" }, [
      el("summary", { text: "Suggested questions (" + guide.questions.length + ")" }),
      questionList(guide.questions.slice(0, 12)),
    ]));
  }
  return view;
}

// Open `doc` whole in the source panel with its guide above it.
export async function openGuide(doc, opener) {
  let guide;
  try {
    guide = await api(docUrl("api/guide/", doc));
  } catch (err) {
    openSource({ doc, start: null, end: null, breadcrumbs: [], n: null }, opener);
    $("source-status").textContent = "Could not load the guide: " + err.message;
    return;
  }
  openSource({ doc, start: null, end: null, breadcrumbs: [guide.title], n: null }, opener, guideView(guide));
}

// Starter questions in the empty chat.
export async function loadStarters() {
  const empty = $("empty-state");
  let body;
  try {
    body = await api("api/guide?limit=4");
  } catch (_) {
    return; // the plain hint stays
  }
  if (!body.questions.length) return;
  const list = el("span", { className: "starters", role: "list", "aria-label": "Questions from your notes" });
  for (const suggestion of body.questions) {
    // the item wraps the button: a role on the button itself would hide from screen readers that it is one
    list.appendChild(el("span", { role: "listitem" }, [el("button", {
      type: "button", className: "starter", onclick: () => askQuestion(suggestion.question),
    }, [appendWithMath(el("span"), suggestion.question)])]));
  }
  empty.querySelector(".starters")?.remove();
  empty.appendChild(list);
}

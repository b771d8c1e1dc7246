// Quiz me: the next card due in a document's deck (or a section's), the user's typed answer graded against
// the card's answer (POST /api/quiz/answer), and then the note's passage shown highlighted. The note text
// stays hidden while a question is open. Lives in the source panel, like a document's guide.

import { api, docUrl } from "./api.js";
import { $, announce, el } from "./dom.js";
import { appendWithMath } from "./math.js";
import { openSource } from "./sources.js";

export const cardCount = (n) => n + (n === 1 ? " card" : " cards"); // "1 card", not "1 cards"

const VERDICT_TEXT = { correct: "Correct", partial: "Partly right", wrong: "Not quite" };

function flatten(entries, depth, out) {
  for (const entry of entries) {
    out.push({ entry, depth });
    flatten(entry.children, depth + 1, out);
  }
  return out;
}

function sourceText() {
  return $("source-text");
}

export async function openQuiz(doc, opener) {
  const decks = await api("api/quiz/decks");
  const chosen = doc || (decks.slice().sort((a, b) => b.cards - a.cards)[0] || {}).doc;
  const deckSelect = el("select", { id: "quiz-deck", "aria-label": "Deck" });
  for (const deck of decks) {
    const option = el("option", { value: deck.doc, text: deck.doc + " (" + cardCount(deck.cards) + ")" });
    if (deck.doc === chosen) option.selected = true;
    deckSelect.appendChild(option);
  }
  const sectionSelect = el("select", { id: "quiz-section", "aria-label": "Section" });
  const status = el("p", { className: "hint quiz-status", role: "status" });
  const question = el("p", { className: "quiz-question", "aria-live": "polite" });
  const answer = el("textarea", { id: "quiz-answer", rows: 3, "aria-label": "Your answer" });
  const check = el("button", { type: "submit", className: "quiz-check", text: "Check" });
  const result = el("div", { className: "quiz-result", hidden: true });
  const next = el("button", { type: "button", className: "quiz-next", text: "Next card", hidden: true });
  const form = el("form", { className: "quiz-form" }, [answer, check]);
  const view = el("div", { className: "quiz" }, [
    el("div", { className: "quiz-decks" }, [deckSelect, sectionSelect]), status, question, form, result, next,
  ]);
  let card = null;

  async function loadSections() {
    sectionSelect.textContent = "";
    sectionSelect.appendChild(el("option", { value: "", text: "Whole document" }));
    try {
      const guide = await api(docUrl("api/guide/", deckSelect.value));
      for (const { entry, depth } of flatten(guide.outline, 0, [])) {
        sectionSelect.appendChild(el("option", {
          value: entry.start + ":" + entry.end, text: "\u00a0\u00a0".repeat(depth) + entry.title,
        }));
      }
    } catch (_) { /* the whole document still works */ }
  }

  async function nextCard() {
    result.hidden = true;
    next.hidden = true;
    form.hidden = false;
    answer.value = "";
    sourceText().hidden = true; // the answer is in the note: keep it out of sight until graded
    const params = new URLSearchParams({ doc: deckSelect.value });
    if (sectionSelect.value) {
      const [start, end] = sectionSelect.value.split(":");
      params.set("start", start);
      params.set("end", end);
    }
    let body;
    try {
      body = await api("api/quiz/next?" + params.toString());
    } catch (err) {
      status.textContent = "Could not load a card: " + err.message;
      return;
    }
    const { deck } = body;
    card = body.card;
    status.textContent = cardCount(deck.total) + " · " + deck.due + " due · " + deck.new + " new";
    question.textContent = "";
    if (!card) {
      question.textContent = deck.total ? "Nothing is due in this deck. Come back later." : "This note makes no cards.";
      form.hidden = true;
      return;
    }
    appendWithMath(question, card.question);
    answer.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!card) return;
    check.disabled = true;
    let graded;
    try {
      graded = await api("api/quiz/answer", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ doc: card.doc, key: card.key, answer: answer.value }),
      });
    } catch (err) {
      status.textContent = "Could not grade: " + err.message;
      return;
    } finally {
      check.disabled = false;
    }
    const { grade } = graded;
    result.textContent = "";
    result.className = "quiz-result " + grade.verdict;
    result.append(
      el("p", { className: "quiz-verdict", text: VERDICT_TEXT[grade.verdict] + " (score " + grade.score.toFixed(2) + ")" }),
      appendWithMath(el("p", { className: "quiz-answer-text" }), graded.card.answer),
      grade.missing.length ? el("p", { className: "hint", text: "Missing key terms: " + grade.missing.join(", ") }) : "",
      el("p", { className: "hint", text: "Next review: " + new Date(graded.due).toLocaleString() }),
    );
    result.hidden = false;
    form.hidden = true;
    next.hidden = false;
    announce(VERDICT_TEXT[grade.verdict] + ".");
    const target = { ...graded.card, n: null };
    await openSource(target, next, view);
    $("source-title").textContent = "Quiz";
    next.focus();
  });
  // Enter checks the answer and Shift+Enter adds a line, as in the question box
  answer.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  next.addEventListener("click", nextCard);
  deckSelect.addEventListener("change", async () => { await loadSections(); nextCard(); });
  sectionSelect.addEventListener("change", nextCard);

  await openSource({ doc: chosen, start: null, end: null, breadcrumbs: [], n: null }, opener, view);
  $("source-title").textContent = "Quiz";
  await loadSections();
  await nextCard();
}

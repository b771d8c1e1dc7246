// The chat page's entry point (loaded by index.html as a module): wires the question box, the top bar,
// the panels' keys, and applies the server's question limit. Each feature lives in its own module.

import { limits } from "./api.js";
import { ask, busy, newChat } from "./chat.js";
import { $ } from "./dom.js";
import { initDocuments } from "./documents.js";
import { closePanel, closeTopPanel, sourcePanel, trapFocus } from "./panels.js";
import { initScope } from "./scope.js";
import { loadStarters } from "./guide.js";
import { initLive } from "./live.js";
import { openQuiz } from "./quiz.js";
import { initSettings, settingsOpen, toggleSettings } from "./settings.js";

const form = $("ask-form");
const question = $("question");

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = question.value;
  if (!text.trim() || busy()) return;
  question.value = "";
  limitNote.textContent = "";
  ask(text);
});

// The box holds at most the server's question limit (maxLength): a longer paste is cut by the browser without
// a word, so say so; the end of a pasted question is usually the question itself.
const limitNote = $("question-limit");
let pasteCut = false;
question.addEventListener("paste", (event) => {
  const pasted = event.clipboardData ? event.clipboardData.getData("text") : "";
  const kept = question.value.length - (question.selectionEnd - question.selectionStart);
  pasteCut = question.maxLength > 0 && kept + pasted.length > question.maxLength;
});
question.addEventListener("input", () => {
  const max = question.maxLength;
  if (pasteCut) limitNote.textContent = `The pasted text was cut at ${max} characters, the most a question may have: its end is missing.`;
  else if (max > 0 && question.value.length >= max) limitNote.textContent = `${max} characters is the most a question may have.`;
  else limitNote.textContent = "";
  pasteCut = false;
});

question.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});

$("new-chat").addEventListener("click", newChat);
$("open-quiz").addEventListener("click", (event) => openQuiz(null, event.currentTarget));
document.querySelector(".skip-link").addEventListener("click", (event) => {
  event.preventDefault();
  question.focus();
});
$("close-source").addEventListener("click", () => closePanel(sourcePanel));

document.addEventListener("keydown", (event) => {
  if (event.key === "Tab") trapFocus(event);
  else if (event.key === "Escape" && !closeTopPanel() && settingsOpen()) toggleSettings(false);
});

initDocuments();
initScope();
loadStarters();
initLive();
initSettings();

limits().then((limit) => {
  if (limit) question.maxLength = limit.max_question_chars;
});

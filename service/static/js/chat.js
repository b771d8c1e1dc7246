// The conversation: question bubbles, the answer as it streams and once checked, the turns sent back as
// `history`, the Send button's busy state, and New chat (which also stops a stream in flight).

import { renderActions } from "./actions.js";
import { renderAnswer, spokenAnswer } from "./answer.js";
import { $, announce, el } from "./dom.js";
import { appendWithMath } from "./math.js";
import { closePanel, sourcePanel } from "./panels.js";
import { streamAnswer } from "./stream.js";

const els = {
  conversation: $("conversation"),
  emptyState: $("empty-state"),
  form: $("ask-form"),
  question: $("question"),
  send: $("send"),
};
let history = []; // [{role, content}], oldest first
let inFlight = null; // the AbortController of the stream being read

export const busy = () => inFlight !== null;

function setBusy(isBusy) {
  els.send.disabled = isBusy;
  els.send.textContent = isBusy ? "Answering…" : "Send";
  els.form.setAttribute("aria-busy", isBusy ? "true" : "false");
}

function addQuestionBubble(question) {
  els.emptyState.hidden = true;
  els.conversation.appendChild(el("article", { className: "turn turn-user", "aria-label": "Your question" }, [
    appendWithMath(el("p", { className: "bubble" }), question), // a question about $x^2$ shows it typeset
  ]));
}

// The answer's article: `body` takes the streamed text, then the rendered answer. The body is no live region:
// a screen reader would read it token by token and then again when rendered; the finished answer is announced
// once instead, while `status` says what is happening.
function addAnswerShell() {
  const body = el("div", { className: "answer-body streaming", "aria-busy": "true" });
  const streamText = document.createTextNode("");
  body.appendChild(streamText);
  const status = el("p", { className: "answer-status hint", role: "status", text: "Searching your notes…" });
  const extras = el("div", { className: "answer-extras" });
  const actions = el("div", { className: "answer-actions", hidden: true });
  const article = el("article", { className: "turn turn-assistant", "aria-label": "Answer" }, [
    el("div", { className: "bubble" }, [body, status, extras, actions]),
  ]);
  els.conversation.appendChild(article);
  article.scrollIntoView({ block: "end" });
  return { article, body, streamText, status, extras, actions };
}

function showError(shell, message) {
  shell.status.textContent = "";
  shell.extras.appendChild(el("p", { className: "error", role: "alert", text: message }));
}

export async function ask(question) {
  const trimmed = question.trim();
  if (!trimmed || inFlight) return;
  const priorHistory = history.slice();
  addQuestionBubble(trimmed);
  const shell = addAnswerShell();
  const controller = new AbortController();
  inFlight = controller;
  setBusy(true);

  let streamed = "";
  let result;
  try {
    result = await streamAnswer(trimmed, priorHistory, controller.signal, (text) => {
      if (!streamed) shell.status.textContent = "Writing the answer…";
      streamed += text;
      shell.streamText.appendData(text);
    });
  } catch (_) {
    return; // aborted by New chat, which has already reset the page
  } finally {
    if (inFlight === controller) {
      inFlight = null;
      setBusy(false);
    }
    shell.body.setAttribute("aria-busy", "false");
    shell.body.classList.remove("streaming");
  }

  const { answer, failure } = result;
  if (answer) {
    shell.status.textContent = "";
    renderAnswer(shell, answer);
  }
  if (failure) showError(shell, "Error: " + failure);
  else if (!answer) showError(shell, "The answer ended early.");
  const finalText = answer ? answer.text : streamed;
  if (finalText) {
    history = priorHistory.concat([{ role: "user", content: trimmed }, { role: "assistant", content: finalText }]);
  }
  if (answer) {
    renderActions(shell.actions, trimmed, answer);
    announce(spokenAnswer(answer));
  }
}

export function newChat() {
  if (inFlight) inFlight.abort();
  inFlight = null;
  setBusy(false);
  history = [];
  for (const node of Array.from(els.conversation.children)) {
    if (node !== els.emptyState) node.remove();
  }
  els.emptyState.hidden = false;
  closePanel(sourcePanel);
  els.question.value = "";
  els.question.focus();
  announce("New chat started.");
}

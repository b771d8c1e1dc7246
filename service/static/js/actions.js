// The buttons under a finished answer: Copy, and the Good / Bad thumbs (POST /api/feedback).

import { api } from "./api.js";
import { el } from "./dom.js";

async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch (_) { /* fall through to the selection fallback */ }
  const area = el("textarea", { className: "copy-buffer", readonly: "", "aria-hidden": "true" });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try { ok = document.execCommand("copy"); } catch (_) { ok = false; }
  area.remove();
  return ok;
}

export function renderActions(container, question, answer) {
  const status = el("span", { className: "hint action-status", role: "status" });
  const copy = el("button", {
    type: "button", className: "copy", "aria-label": "Copy answer", text: "Copy",
    onclick: async () => {
      const ok = await copyText(answer.text);
      status.textContent = ok ? "Copied." : "Copy failed: select the text and copy it by hand.";
    },
  });
  const rate = (rating, button, other) => async () => {
    button.disabled = true;
    try {
      await api("api/feedback", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          question, answer: answer.text, citations: answer.citations, rating, answer_id: answer.id,
        }),
      });
      button.setAttribute("aria-pressed", "true");
      other.setAttribute("aria-pressed", "false");
      status.textContent = "Thanks for the feedback.";
    } catch (err) {
      status.textContent = "Feedback not saved: " + err.message;
    } finally {
      button.disabled = false;
    }
  };
  const up = el("button", {
    type: "button", className: "thumb thumb-up", "aria-label": "Good answer", "aria-pressed": "false",
    title: "Good answer", text: "▲ Good",
  });
  const down = el("button", {
    type: "button", className: "thumb thumb-down", "aria-label": "Bad answer", "aria-pressed": "false",
    title: "Bad answer", text: "▼ Bad",
  });
  up.addEventListener("click", rate("up", up, down));
  down.addEventListener("click", rate("down", down, up));
  container.append(copy, up, down, status);
  container.hidden = false;
}

// The API key form: shown by the "API key" button, saves the key in this browser's localStorage.

import { apiKey, saveApiKey } from "./api.js";
import { $ } from "./dom.js";

const els = {
  section: $("settings"),
  toggle: $("toggle-settings"),
  form: $("settings-form"),
  key: $("api-key"),
  clear: $("clear-key"),
  status: $("settings-status"),
};

export const settingsOpen = () => !els.section.hidden;

export function toggleSettings(show) {
  els.section.hidden = !show;
  els.toggle.setAttribute("aria-expanded", show ? "true" : "false");
  if (show) {
    els.key.value = apiKey();
    els.key.focus();
  } else {
    els.toggle.focus();
  }
}

export function initSettings() {
  els.toggle.addEventListener("click", () => toggleSettings(els.section.hidden));
  els.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = els.key.value.trim();
    try {
      saveApiKey(key);
      els.status.textContent = key ? "Saved." : "Cleared.";
    } catch (_) {
      els.status.textContent = "This browser does not allow saving the key.";
    }
  });
  els.clear.addEventListener("click", () => {
    try { saveApiKey(""); } catch (_) { /* nothing stored */ }
    els.key.value = "";
    els.status.textContent = "Cleared.";
  });
}

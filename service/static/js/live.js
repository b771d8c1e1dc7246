// The live notes folder in the Documents panel: while the panel is open, each file's status
// (GET /api/watch: indexed, indexing, skipped with the reason) is polled and shown; when the served index
// generation changes the document list is reloaded too.

import { api } from "./api.js";
import { $, el } from "./dom.js";
import { loadDocuments } from "./documents.js";
import { docsPanel } from "./panels.js";

const POLL_MS = 1000;
const els = { section: $("watch-status"), list: $("watch-list"), note: $("watch-note") };
let generation = null;

function fileItem(file) {
  const item = el("li", { className: "watch-file " + file.status, "data-doc": file.doc }, [
    el("span", { className: "watch-name", text: file.doc }),
    el("span", { className: "badge watch-badge", text: file.status }),
  ]);
  if (file.reason) item.appendChild(el("span", { className: "hint watch-reason", text: file.reason }));
  return item;
}

async function poll() {
  if (docsPanel.hidden) return;
  let body;
  try {
    body = await api("api/watch");
  } catch (_) {
    return; // the next poll tries again
  }
  els.section.hidden = false;
  els.note.textContent = body.watching
    ? "Watching the notes folder: changes are indexed as you save."
    : "Not watching the notes folder (NOTECITE_WATCH is off).";
  els.list.replaceChildren(...body.files.map(fileItem));
  if (generation !== null && generation !== body.generation) loadDocuments(true);
  generation = body.generation;
}

export function initLive() {
  window.setInterval(poll, POLL_MS);
  $("toggle-docs").addEventListener("click", () => window.setTimeout(poll, 0)); // no wait for the first tick
}

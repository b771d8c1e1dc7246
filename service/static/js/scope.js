// The scope picker: limit a question to chosen documents or sections. Documents come from
// GET /api/documents, a document's sections from its outline (GET /api/guide/<doc>); the chosen ones go
// out as the ask request's `scope` ([{doc}] or [{doc, start, end}]).

import { api, docUrl } from "./api.js";
import { $, announce, el } from "./dom.js";

const els = {
  toggle: $("scope-toggle"),
  picker: $("scope-picker"),
  list: $("scope-list"),
  clear: $("scope-clear"),
};
let loaded = false;

function checkbox(label, data, onchange) {
  const input = el("input", { type: "checkbox", onchange });
  for (const [name, value] of Object.entries(data)) input.dataset[name] = value;
  return el("label", { className: "scope-option" }, [input, " ", el("span", { text: label })]);
}

// The outline as nested lists of section checkboxes.
function sectionList(doc, entries) {
  const list = el("ul", { className: "scope-sections" });
  for (const entry of entries) {
    const item = el("li", null, [
      checkbox(entry.title, { doc, start: entry.start, end: entry.end, title: entry.title }, updateLabel),
    ]);
    if (entry.children.length) item.appendChild(sectionList(doc, entry.children));
    list.appendChild(item);
  }
  return list;
}

function documentItem(doc) {
  const details = el("details", { className: "scope-doc-sections" }, [el("summary", { text: "Sections" })]);
  details.addEventListener("toggle", async () => {
    if (!details.open || details.dataset.loaded) return;
    details.dataset.loaded = "1";
    try {
      const guide = await api(docUrl("api/guide/", doc.doc));
      details.appendChild(sectionList(doc.doc, guide.outline));
    } catch (err) {
      details.appendChild(el("p", { className: "hint", text: "Could not load the sections: " + err.message }));
    }
  });
  return el("li", { className: "scope-doc", "data-doc": doc.doc }, [
    checkbox(doc.doc, { doc: doc.doc, title: doc.doc }, updateLabel),
    details,
  ]);
}

async function loadDocuments() {
  loaded = true;
  try {
    const body = await api("api/documents");
    els.list.textContent = "";
    for (const doc of body.documents.filter((d) => d.kind === "note")) els.list.appendChild(documentItem(doc));
  } catch (err) {
    loaded = false;
    els.list.textContent = "";
    els.list.appendChild(el("li", { className: "hint", text: "Could not list documents: " + err.message }));
  }
}

function checked() {
  return Array.from(els.list.querySelectorAll("input[type=checkbox]:checked"));
}

// [{doc}] for a whole document, [{doc, start, end}] for a section (dropped when its document is whole).
export function currentScope() {
  const boxes = checked();
  const whole = new Set(boxes.filter((b) => !b.dataset.start).map((b) => b.dataset.doc));
  const items = Array.from(whole, (doc) => ({ doc }));
  for (const box of boxes) {
    if (box.dataset.start && !whole.has(box.dataset.doc)) {
      items.push({ doc: box.dataset.doc, start: Number(box.dataset.start), end: Number(box.dataset.end) });
    }
  }
  return items;
}

function updateLabel() {
  const names = checked().map((b) => b.dataset.title);
  els.toggle.textContent = names.length ? "Scope: " + names.join(", ") : "Scope: all notes";
  els.toggle.classList.toggle("scoped", names.length > 0);
}

function setOpen(open) {
  els.picker.hidden = !open;
  els.toggle.setAttribute("aria-expanded", open ? "true" : "false");
  if (open && !loaded) loadDocuments();
}

// Limit the next questions to one document (the source guide's "Ask this document").
export async function scopeToDocument(doc) {
  if (!loaded) await loadDocuments();
  for (const box of checked()) box.checked = false;
  const box = els.list.querySelector(`li.scope-doc[data-doc="${CSS.escape(doc)}"] > label input`);
  if (box) box.checked = true;
  updateLabel();
  announce("Questions now go to " + doc + " only.");
}

export function initScope() {
  els.toggle.addEventListener("click", () => setOpen(els.picker.hidden));
  els.clear.addEventListener("click", () => {
    for (const box of checked()) box.checked = false;
    updateLabel();
    setOpen(false);
    els.toggle.focus();
  });
  // Escape closes the picker from its toggle too: Enter on the toggle opens it and leaves focus there
  els.toggle.parentElement.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !els.picker.hidden) {
      event.stopPropagation();
      setOpen(false);
      els.toggle.focus();
    }
  });
}

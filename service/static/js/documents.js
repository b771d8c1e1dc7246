// The documents panel: the indexed documents (GET /api/documents), upload by the file picker or by
// drag-and-drop (POST /api/documents, checked first against the server's limits), and delete of uploads.

import { api, docUrl, limits } from "./api.js";
import { $, announce, el } from "./dom.js";
import { openGuide } from "./guide.js";
import { closePanel, docsPanel, openPanel } from "./panels.js";

const els = {
  toggle: $("toggle-docs"),
  close: $("close-docs"),
  dropZone: $("drop-zone"),
  chooseFile: $("choose-file"),
  fileInput: $("file-input"),
  status: $("docs-status"),
  list: $("docs-list"),
};

function formatDate(value) {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

function deleteButton(doc) {
  const remove = el("button", {
    type: "button", className: "doc-delete", "aria-label": "Delete " + doc.doc, text: "Delete",
  });
  let armed = false; // the first click arms the button, the second deletes
  remove.addEventListener("click", async () => {
    if (!armed) {
      armed = true;
      remove.textContent = "Confirm delete";
      remove.classList.add("armed");
      return;
    }
    remove.disabled = true;
    try {
      await api(docUrl("api/documents/", doc.doc), { method: "DELETE" });
      announce("Deleted " + doc.doc + ".");
      await loadDocuments();
      els.close.focus();
    } catch (err) {
      els.status.textContent = "Delete failed: " + err.message;
      remove.disabled = false;
    }
  });
  remove.addEventListener("blur", () => {
    armed = false;
    remove.textContent = "Delete";
    remove.classList.remove("armed");
  });
  return remove;
}

// One DocumentOut {doc, kind, n_passages, indexed_at, deletable, warnings} as a list item.
function documentItem(doc) {
  const passages = doc.n_passages + (doc.n_passages === 1 ? " passage" : " passages");
  const item = el("li", { className: "doc-item", "data-doc": doc.doc }, [
    el("div", { className: "doc-main" }, [
      el("button", {
        type: "button", className: "doc-open", "aria-label": "Open " + doc.doc + " with its guide",
        onclick: (event) => openGuide(doc.doc, event.currentTarget),
      }, [el("span", { className: "doc-name", text: doc.doc })]),
      el("span", { className: "doc-kind badge", text: doc.kind }),
    ]),
    el("span", { className: "doc-status hint", text: ["indexed", passages, formatDate(doc.indexed_at)].join(" · ") }),
  ]);
  for (const warning of doc.warnings) {
    item.appendChild(el("span", { className: "doc-warning hint", text: "⚠ " + warning }));
  }
  if (doc.deletable) item.appendChild(deleteButton(doc));
  return item;
}

// `quiet`: refresh the list only (the live folder's reload), leaving the status line to what the user did.
export async function loadDocuments(quiet = false) {
  if (!quiet) els.status.textContent = "Loading documents…";
  let body;
  try {
    body = await api("api/documents");
  } catch (err) {
    if (!quiet) els.status.textContent = "Could not list documents: " + err.message;
    return;
  }
  const docs = body.documents;
  els.list.textContent = "";
  for (const doc of docs) els.list.appendChild(documentItem(doc));
  if (quiet) return;
  els.status.textContent = docs.length
    ? docs.length + (docs.length === 1 ? " document" : " documents") + " indexed."
    : "No documents indexed yet.";
}

// Why the server would refuse `file`, worded as the server words it; null when it is within the limits.
async function refusal(file) {
  const limit = await limits();
  if (!limit) return null;
  const dot = file.name.lastIndexOf(".");
  const suffix = dot === -1 ? "" : file.name.slice(dot).toLowerCase();
  if (!limit.upload_types.includes(suffix)) return file.name + ": upload one of " + limit.upload_types.join(", ");
  if (file.size > limit.max_upload_bytes) {
    return file.name + " is " + file.size + " bytes; the limit is " + limit.max_upload_bytes;
  }
  return null;
}

// "Indexed uploads/a.md." or, when it took the place of an earlier upload of that name, says so
function uploadNotice(body) {
  const name = body.document.doc;
  if (!body.replaced) return "Indexed " + name + ".";
  const same = body.previous.sha256 === body.document.sha256;
  const was = same ? "the same content" : "the earlier " + body.previous.bytes + "-byte version";
  return "Indexed " + name + ": it replaced " + was + ".";
}

async function uploadFile(file) {
  if (!file) return;
  const refused = await refusal(file);
  if (refused) {
    els.status.textContent = "Upload failed: " + refused;
    els.fileInput.value = "";
    return;
  }
  const form = new FormData();
  form.append("file", file, file.name);
  els.status.textContent = "Uploading and indexing " + file.name + "…";
  els.dropZone.classList.add("busy");
  try {
    const body = await api("api/documents", { method: "POST", body: form });
    const notice = uploadNotice(body);
    els.status.textContent = "";
    await loadDocuments();
    els.status.textContent = notice;
    announce(notice);
  } catch (err) {
    els.status.textContent = "Upload failed: " + err.message;
  } finally {
    els.dropZone.classList.remove("busy");
    els.fileInput.value = "";
  }
}

export function initDocuments() {
  els.close.addEventListener("click", () => closePanel(docsPanel));
  els.toggle.addEventListener("click", () => {
    if (docsPanel.hidden) {
      openPanel(docsPanel, els.toggle);
      els.close.focus();
      loadDocuments();
    } else {
      closePanel(docsPanel);
    }
  });
  // the picker offers only the types the server takes
  limits().then((limit) => {
    if (limit) els.fileInput.accept = limit.upload_types.join(",");
  });
  els.chooseFile.addEventListener("click", () => els.fileInput.click());
  els.fileInput.addEventListener("change", () => uploadFile(els.fileInput.files[0]));
  for (const name of ["dragenter", "dragover"]) {
    els.dropZone.addEventListener(name, (event) => {
      event.preventDefault();
      els.dropZone.classList.add("dragging");
    });
  }
  els.dropZone.addEventListener("dragleave", () => els.dropZone.classList.remove("dragging"));
  els.dropZone.addEventListener("drop", (event) => {
    event.preventDefault();
    els.dropZone.classList.remove("dragging");
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) uploadFile(file);
  });
  // A file dropped outside the zone would otherwise navigate away from the chat.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
}

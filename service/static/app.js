// notecite chat page. Every piece of note or model text reaches the page through textContent or
// createTextNode, never as HTML, so a note cannot inject markup or script.
"use strict";

(function () {
  const KEY_STORAGE = "notecite.apiKey";
  const SOURCE_CONTEXT_CHARS = 1500;
  const NEAREST_PREVIEW_CHARS = 280;
  const MARKER = /\[(\d+(?:\s*,\s*\d+)*)\]/g;
  // The API takes at most 40 earlier turns of 20,000 characters; the last few carry the context.
  const HISTORY_TURNS = 12;
  const TURN_CHARS = 20000;

  const NARROW = window.matchMedia("(max-width: 760px)");
  const $ = (id) => document.getElementById(id);
  const els = {
    conversation: $("conversation"),
    emptyState: $("empty-state"),
    form: $("ask-form"),
    question: $("question"),
    send: $("send"),
    newChat: $("new-chat"),
    toggleDocs: $("toggle-docs"),
    toggleSettings: $("toggle-settings"),
    settings: $("settings"),
    settingsForm: $("settings-form"),
    apiKey: $("api-key"),
    clearKey: $("clear-key"),
    settingsStatus: $("settings-status"),
    sourcePanel: $("source-panel"),
    sourceTitle: $("source-title"),
    sourceDoc: $("source-doc"),
    sourceBreadcrumbs: $("source-breadcrumbs"),
    sourceStatus: $("source-status"),
    sourceCode: $("source-code"),
    sourceText: $("source-text"),
    closeSource: $("close-source"),
    docsPanel: $("docs-panel"),
    closeDocs: $("close-docs"),
    dropZone: $("drop-zone"),
    chooseFile: $("choose-file"),
    fileInput: $("file-input"),
    docsStatus: $("docs-status"),
    docsList: $("docs-list"),
    announcer: $("announcer"),
  };

  // Conversation state: turns sent as `history`, and the stream in flight (so New chat can stop it).
  let history = [];
  let inFlight = null;
  let panelOpener = null;

  // ---------- small helpers ----------

  function el(tag, props, children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [name, value] of Object.entries(props)) {
        if (value === undefined || value === null) continue;
        if (name === "className") node.className = value;
        else if (name === "text") node.textContent = value;
        else if (name === "hidden") node.hidden = Boolean(value);
        else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
        else node.setAttribute(name, String(value));
      }
    }
    for (const child of children || []) {
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function announce(message) {
    els.announcer.textContent = "";
    // A fresh text node after a tick makes screen readers announce repeated messages too.
    window.setTimeout(() => { els.announcer.textContent = message; }, 30);
  }

  function apiKey() {
    try { return window.localStorage.getItem(KEY_STORAGE) || ""; } catch (_) { return ""; }
  }

  function authHeaders(extra) {
    const headers = Object.assign({}, extra || {});
    const key = apiKey();
    if (key) headers.Authorization = "Bearer " + key;
    return headers;
  }

  function docUrl(prefix, doc) {
    return prefix + String(doc).split("/").map(encodeURIComponent).join("/");
  }

  async function errorMessage(response) {
    let detail = response.status + " " + response.statusText;
    try {
      const body = await response.json();
      if (body && (body.detail || body.error)) {
        detail = typeof body.detail === "string" ? body.detail : (body.error || JSON.stringify(body.detail));
      }
    } catch (_) { /* not JSON: keep the status line */ }
    if (response.status === 401 || response.status === 403) {
      detail += " — set the API key with the API key button.";
    }
    return detail;
  }

  async function api(path, options) {
    const opts = Object.assign({}, options || {});
    opts.headers = authHeaders(opts.headers);
    const response = await fetch(path, opts);
    if (!response.ok) throw new Error(await errorMessage(response));
    return response.status === 204 ? null : response.json();
  }

  function breadcrumbText(crumbs) {
    return (crumbs || []).filter(Boolean).join(" › ");
  }

  function truncate(text, limit) {
    const clean = String(text || "").replace(/\s+/g, " ").trim();
    return clean.length > limit ? clean.slice(0, limit - 1) + "…" : clean;
  }

  // ---------- server-sent events over fetch (EventSource cannot POST) ----------

  async function* readEvents(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buffer += decoder.decode(value, { stream: true });
      if (done) buffer += decoder.decode();
      let boundary;
      while ((boundary = buffer.search(/\r?\n\r?\n/)) !== -1) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, "");
        const parsed = parseEventBlock(block);
        if (parsed) yield parsed;
      }
      if (done) {
        const parsed = parseEventBlock(buffer);
        if (parsed) yield parsed;
        return;
      }
    }
  }

  function parseEventBlock(block) {
    let event = "message";
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (!data.length) return null;
    const raw = data.join("\n");
    try { return { event, data: JSON.parse(raw) }; } catch (_) { return { event, data: { text: raw } }; }
  }

  // ---------- the conversation ----------

  function addQuestionBubble(question) {
    els.emptyState.hidden = true;
    const bubble = el("article", { className: "turn turn-user", "aria-label": "Your question" }, [
      el("p", { className: "bubble", text: question }),
    ]);
    els.conversation.appendChild(bubble);
    return bubble;
  }

  function addAnswerShell() {
    const body = el("div", {
      className: "answer-body streaming",
      "aria-live": "polite",
      "aria-busy": "true",
      "aria-atomic": "false",
    });
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

  async function ask(question) {
    const trimmed = question.trim();
    if (!trimmed || inFlight) return;
    const priorHistory = history.slice();
    addQuestionBubble(trimmed);
    const shell = addAnswerShell();
    const controller = new AbortController();
    inFlight = controller;
    setBusy(true);

    let streamed = "";
    let answer = null;
    let answerId = null;
    let failure = null;
    try {
      const response = await fetch("api/ask/stream", {
        method: "POST",
        headers: authHeaders({ "Content-Type": "application/json", Accept: "text/event-stream" }),
        body: JSON.stringify({
          question: trimmed,
          history: priorHistory.slice(-HISTORY_TURNS).map((turn) => ({
            role: turn.role, content: turn.content.slice(0, TURN_CHARS),
          })),
        }),
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(await errorMessage(response));
      for await (const { event, data } of readEvents(response)) {
        if (event === "token") {
          if (!streamed) shell.status.textContent = "Writing the answer…";
          streamed += data.text || "";
          shell.streamText.appendData(data.text || "");
        } else if (event === "citations") {
          answer = data;
          if (data.id) answerId = data.id;
        } else if (event === "done") {
          if (data && data.id) answerId = data.id;
        } else if (event === "error") {
          failure = data.detail || data.error || "the answer failed";
        }
      }
    } catch (err) {
      if (err && err.name === "AbortError") return;
      failure = err && err.message ? err.message : String(err);
    } finally {
      if (inFlight === controller) inFlight = null;
      setBusy(false);
      shell.body.setAttribute("aria-busy", "false");
      shell.body.classList.remove("streaming");
    }

    if (answer) {
      if (answerId && !answer.id) answer.id = answerId;
      renderAnswer(shell, answer);
    }
    if (failure) {
      shell.status.textContent = "";
      shell.extras.appendChild(el("p", { className: "error", role: "alert", text: "Error: " + failure }));
    } else if (!answer) {
      shell.status.textContent = "";
      shell.extras.appendChild(el("p", { className: "error", role: "alert", text: "The answer ended early." }));
    }
    const finalText = answer ? String(answer.text || "") : streamed;
    if (finalText) {
      history = priorHistory.concat([
        { role: "user", content: trimmed },
        { role: "assistant", content: finalText },
      ]);
    }
    if (answer) {
      renderActions(shell, trimmed, answer);
      announce(answer.abstained ? "Your notes do not cover this question." : "Answer ready.");
    }
  }

  function setBusy(busy) {
    els.send.disabled = busy;
    els.send.textContent = busy ? "Answering…" : "Send";
    els.form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  // Split the final answer into its sentences, wrap the ones no source supports, and turn [n] into buttons.
  function renderAnswer(shell, answer) {
    const text = String(answer.text || "");
    const citations = new Map((answer.citations || []).map((c) => [Number(c.n), c]));
    const body = shell.body;
    body.textContent = "";
    shell.status.textContent = "";

    let cursor = 0;
    for (const sentence of answer.sentences || []) {
      const span = locateSentence(text, sentence, cursor);
      if (!span) continue;
      if (span.start > cursor) appendWithMarkers(body, text.slice(cursor, span.start), citations);
      const cited = sentenceCitations(sentence);
      const supported = sentence.supported !== undefined ? Boolean(sentence.supported) : cited.length > 0;
      const wrapper = el("span", { className: supported ? "sentence" : "sentence unsupported" });
      if (!supported) wrapper.title = "No passage in your notes supports this sentence.";
      const sentenceText = text.slice(span.start, span.end);
      appendWithMarkers(wrapper, sentenceText, citations);
      if (!supported) {
        wrapper.appendChild(el("span", { className: "visually-hidden", text: " (not supported by your notes)" }));
      }
      const present = new Set(markersIn(sentenceText));
      for (const n of cited) {
        if (!present.has(n) && citations.has(n)) wrapper.appendChild(citationButton(citations.get(n)));
      }
      body.appendChild(wrapper);
      cursor = span.end;
    }
    if (cursor < text.length) appendWithMarkers(body, text.slice(cursor), citations);

    if (answer.abstained) {
      shell.article.classList.add("abstained");
      renderNearest(shell.extras, answer.nearest || []);
    } else if (citations.size) {
      renderSourceList(shell.extras, answer.citations || []);
    }
  }

  function locateSentence(text, sentence, cursor) {
    const sentenceText = String(sentence.text || "");
    const start = Number(sentence.start);
    const end = Number(sentence.end);
    if (Number.isInteger(start) && Number.isInteger(end) && start >= cursor && end <= text.length && end > start) {
      if (!sentenceText || text.slice(start, end) === sentenceText) return { start, end };
    }
    if (!sentenceText) return null;
    const found = text.indexOf(sentenceText, cursor);
    return found === -1 ? null : { start: found, end: found + sentenceText.length };
  }

  function sentenceCitations(sentence) {
    const list = sentence.citations || sentence.sources || sentence.cited || [];
    return list.map((item) => Number(typeof item === "object" && item !== null ? item.n : item))
      .filter(Number.isFinite);
  }

  function markersIn(text) {
    const found = [];
    for (const match of text.matchAll(MARKER)) {
      for (const part of match[1].split(",")) found.push(Number(part.trim()));
    }
    return found;
  }

  function appendWithMarkers(parent, text, citations) {
    let last = 0;
    for (const match of text.matchAll(MARKER)) {
      const numbers = match[1].split(",").map((part) => Number(part.trim()));
      if (!numbers.every((n) => citations.has(n))) continue;
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      for (const n of numbers) parent.appendChild(citationButton(citations.get(n)));
      last = match.index + match[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

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

  function renderSourceList(container, citations) {
    const list = el("ol", { className: "source-list", "aria-label": "Sources" });
    for (const citation of citations) {
      const label = breadcrumbText(citation.breadcrumbs);
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
          label ? el("span", { className: "source-crumbs", text: " — " + label }) : null,
        ]),
      ]));
    }
    container.appendChild(el("details", { className: "sources", open: "" }, [
      el("summary", { text: "Sources (" + citations.length + ")" }),
      list,
    ]));
  }

  function renderNearest(container, nearest) {
    const section = el("section", { className: "nearest", "aria-label": "Nearest passages in your notes" }, [
      el("h3", { text: nearest.length ? "Nearest passages in your notes" : "No nearby passages found." }),
    ]);
    const list = el("ol", { className: "nearest-list" });
    for (const hit of nearest) {
      const target = {
        n: null, kind: hit.kind, doc: hit.doc, breadcrumbs: hit.breadcrumbs, start: hit.start, end: hit.end,
        quote: hit.text, symbol: hit.symbol, line_start: hit.line_start, line_end: hit.line_end,
      };
      const crumbs = breadcrumbText(hit.breadcrumbs);
      list.appendChild(el("li", null, [
        el("button", {
          type: "button",
          className: "nearest-link",
          "aria-label": "Open passage from " + hit.doc + (crumbs ? ", " + crumbs : ""),
          onclick: (event) => openSource(target, event.currentTarget),
        }, [
          el("span", { className: "source-docname", text: hit.doc }),
          crumbs ? el("span", { className: "source-crumbs", text: " — " + crumbs }) : null,
        ]),
        el("p", { className: "nearest-text", text: truncate(hit.text, NEAREST_PREVIEW_CHARS) }),
      ]));
    }
    if (nearest.length) section.appendChild(list);
    container.appendChild(section);
  }

  function renderActions(shell, question, answer) {
    const status = el("span", { className: "hint action-status", role: "status" });
    const copy = el("button", {
      type: "button", className: "copy", "aria-label": "Copy answer", text: "Copy",
      onclick: async () => {
        const ok = await copyText(String(answer.text || ""));
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
            question,
            answer: String(answer.text || ""),
            citations: answer.citations || [],
            rating,
            answer_id: answer.id ? String(answer.id) : null,
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
    shell.actions.append(copy, up, down, status);
    shell.actions.hidden = false;
  }

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

  function newChat() {
    if (inFlight) inFlight.abort();
    inFlight = null;
    setBusy(false);
    history = [];
    for (const node of Array.from(els.conversation.children)) {
      if (node !== els.emptyState) node.remove();
    }
    els.emptyState.hidden = false;
    closePanel(els.sourcePanel);
    els.question.value = "";
    els.question.focus();
    announce("New chat started.");
  }

  // ---------- side panels ----------

  function openPanel(panel, opener) {
    for (const other of [els.sourcePanel, els.docsPanel]) {
      if (other !== panel) closePanel(other, false);
    }
    panelOpener = opener || document.activeElement;
    panel.hidden = false;
    document.body.classList.add("panel-open");
    setBackgroundInert(NARROW.matches);
    if (panel === els.docsPanel) els.toggleDocs.setAttribute("aria-expanded", "true");
  }

  function closePanel(panel, restoreFocus = true) {
    if (panel.hidden) return;
    panel.hidden = true;
    if (panel === els.docsPanel) els.toggleDocs.setAttribute("aria-expanded", "false");
    if (els.sourcePanel.hidden && els.docsPanel.hidden) {
      document.body.classList.remove("panel-open");
      setBackgroundInert(false);
    }
    if (restoreFocus && panelOpener && document.contains(panelOpener)) panelOpener.focus();
    panelOpener = null;
  }

  // On a narrow screen a panel covers the chat: keep focus and screen readers inside it until it closes.
  function setBackgroundInert(inert) {
    for (const node of [els.chat, document.querySelector(".topbar"), els.settings]) {
      if (node) node.inert = inert;
    }
  }

  function trapFocus(event) {
    const panel = [els.sourcePanel, els.docsPanel].find((p) => !p.hidden);
    if (!panel || !NARROW.matches) return;
    const focusable = Array.from(panel.querySelectorAll(
      "button:not([disabled]), [href], input:not([type=hidden]):not([hidden]), textarea, [tabindex]:not([tabindex='-1'])",
    )).filter((node) => node.offsetParent !== null || node === document.activeElement);
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const inside = panel.contains(document.activeElement);
    if (event.shiftKey && (!inside || document.activeElement === first || document.activeElement === panel)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (!inside || document.activeElement === last)) {
      event.preventDefault();
      first.focus();
    }
  }

  async function openSource(citation, opener) {
    openPanel(els.sourcePanel, opener);
    const title = citation.n ? "Source [" + citation.n + "]" : "Passage";
    els.sourceTitle.textContent = title;
    els.sourceDoc.textContent = citation.doc + (citation.kind === "code" && citation.symbol
      ? " · " + citation.symbol : "");
    renderBreadcrumbs(citation.breadcrumbs);
    els.sourceStatus.textContent = "Loading the source…";
    els.sourceText.textContent = "";
    els.sourceCode.textContent = "";
    els.sourceCode.hidden = true;
    els.closeSource.focus();

    const query = new URLSearchParams({ start: String(citation.start), end: String(citation.end) });
    let source;
    try {
      source = await api(docUrl("api/sources/", citation.doc) + "?" + query.toString());
    } catch (err) {
      els.sourceStatus.textContent = "Could not load the source: " + err.message;
      return;
    }
    els.sourceStatus.textContent = "";
    const text = String(source.text || "");
    const highlight = source.highlight || { start: citation.start, end: citation.end };
    const start = clamp(Number(highlight.start), 0, text.length);
    const end = clamp(Number(highlight.end), start, text.length);
    renderHighlighted(text, start, end);
    if (citation.kind === "code" || source.kind === "code") renderCode(text, citation, start, end);
  }

  function clamp(value, low, high) {
    return Number.isFinite(value) ? Math.min(Math.max(value, low), high) : low;
  }

  function renderBreadcrumbs(crumbs) {
    els.sourceBreadcrumbs.textContent = "";
    const items = (crumbs || []).filter(Boolean);
    const list = el("ol");
    for (const crumb of items) list.appendChild(el("li", { text: crumb }));
    if (items.length) els.sourceBreadcrumbs.appendChild(list);
  }

  function renderHighlighted(text, start, end) {
    const from = Math.max(0, start - SOURCE_CONTEXT_CHARS);
    const to = Math.min(text.length, end + SOURCE_CONTEXT_CHARS);
    const pre = els.sourceText;
    pre.textContent = "";
    if (from > 0) pre.appendChild(el("span", { className: "elided", text: "…\n" }));
    pre.appendChild(document.createTextNode(text.slice(from, start)));
    const mark = el("mark", { className: "highlight", text: text.slice(start, end) });
    pre.appendChild(mark);
    pre.appendChild(document.createTextNode(text.slice(end, to)));
    if (to < text.length) pre.appendChild(el("span", { className: "elided", text: "\n…" }));
    mark.scrollIntoView({ block: "center" });
  }

  // Code citations: the cited lines with their line numbers, taken from the same source text.
  function renderCode(text, citation, start, end) {
    let first = Number(citation.line_start);
    let last = Number(citation.line_end);
    if (!Number.isInteger(first) || !Number.isInteger(last) || last < first) {
      first = text.slice(0, start).split("\n").length;
      last = first + text.slice(start, end).split("\n").length - 1;
    }
    const lines = text.split("\n").slice(first - 1, last);
    if (!lines.length && citation.code) lines.push(...String(citation.code).split("\n"));
    const table = el("ol", { className: "code-lines", start: first, "aria-label": "Code, lines " + first +
      " to " + last });
    lines.forEach((line, i) => {
      table.appendChild(el("li", { "data-line": first + i }, [
        el("span", { className: "line-no", "aria-hidden": "true", text: String(first + i) }),
        el("code", { text: line || " " }),
      ]));
    });
    els.sourceCode.textContent = "";
    els.sourceCode.appendChild(el("p", { className: "hint", text: "Lines " + first + "–" + last }));
    els.sourceCode.appendChild(table);
    els.sourceCode.hidden = false;
  }

  // ---------- documents ----------

  async function loadDocuments() {
    els.docsStatus.textContent = "Loading documents…";
    let body;
    try {
      body = await api("api/documents");
    } catch (err) {
      els.docsStatus.textContent = "Could not list documents: " + err.message;
      return;
    }
    const docs = body.documents || [];
    els.docsList.textContent = "";
    for (const doc of docs) els.docsList.appendChild(documentItem(doc));
    els.docsStatus.textContent = docs.length
      ? docs.length + (docs.length === 1 ? " document" : " documents") + " indexed."
      : "No documents indexed yet.";
  }

  function documentItem(doc) {
    const when = doc.indexed_at ? formatDate(doc.indexed_at) : "";
    const chunks = Number(doc.n_chunks);
    const passages = Number.isFinite(chunks) ? chunks + (chunks === 1 ? " passage" : " passages") : "";
    const status = ["indexed", passages, when].filter(Boolean).join(" · ");
    const item = el("li", { className: "doc-item", "data-doc": doc.doc }, [
      el("div", { className: "doc-main" }, [
        el("span", { className: "doc-name", text: doc.doc }),
        el("span", { className: "doc-kind badge", text: doc.kind || "note" }),
      ]),
      el("span", { className: "doc-status hint", text: status }),
    ]);
    for (const warning of doc.warnings || []) {
      item.appendChild(el("span", { className: "doc-warning hint", text: "⚠ " + warning }));
    }
    if (doc.deletable) {
      const remove = el("button", {
        type: "button", className: "doc-delete", "aria-label": "Delete " + doc.doc, text: "Delete",
      });
      let armed = false;
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
          els.closeDocs.focus();
        } catch (err) {
          els.docsStatus.textContent = "Delete failed: " + err.message;
          remove.disabled = false;
        }
      });
      remove.addEventListener("blur", () => {
        armed = false;
        remove.textContent = "Delete";
        remove.classList.remove("armed");
      });
      item.appendChild(remove);
    }
    return item;
  }

  function formatDate(value) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
  }

  async function uploadFile(file) {
    if (!file) return;
    const form = new FormData();
    form.append("file", file, file.name);
    els.docsStatus.textContent = "Uploading and indexing " + file.name + "…";
    els.dropZone.classList.add("busy");
    try {
      const body = await api("api/documents", { method: "POST", body: form });
      const name = body && body.document && body.document.doc ? body.document.doc : file.name;
      els.docsStatus.textContent = "";
      await loadDocuments();
      els.docsStatus.textContent = "Indexed " + name + ".";
      announce("Indexed " + name + ".");
    } catch (err) {
      els.docsStatus.textContent = "Upload failed: " + err.message;
    } finally {
      els.dropZone.classList.remove("busy");
      els.fileInput.value = "";
    }
  }

  // ---------- wiring ----------

  els.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = els.question.value;
    if (!question.trim() || inFlight) return;
    els.question.value = "";
    ask(question);
  });

  els.question.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      els.form.requestSubmit();
    }
  });

  els.newChat.addEventListener("click", newChat);
  document.querySelector(".skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    els.question.focus();
  });
  els.closeSource.addEventListener("click", () => closePanel(els.sourcePanel));
  els.closeDocs.addEventListener("click", () => closePanel(els.docsPanel));
  els.toggleDocs.addEventListener("click", () => {
    if (els.docsPanel.hidden) {
      openPanel(els.docsPanel, els.toggleDocs);
      els.closeDocs.focus();
      loadDocuments();
    } else {
      closePanel(els.docsPanel);
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Tab") {
      trapFocus(event);
      return;
    }
    if (event.key !== "Escape") return;
    if (!els.sourcePanel.hidden) closePanel(els.sourcePanel);
    else if (!els.docsPanel.hidden) closePanel(els.docsPanel);
    else if (!els.settings.hidden) toggleSettings(false);
  });

  function toggleSettings(show) {
    els.settings.hidden = !show;
    els.toggleSettings.setAttribute("aria-expanded", show ? "true" : "false");
    if (show) {
      els.apiKey.value = apiKey();
      els.apiKey.focus();
    } else {
      els.toggleSettings.focus();
    }
  }

  els.toggleSettings.addEventListener("click", () => toggleSettings(els.settings.hidden));
  els.settingsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    try {
      const key = els.apiKey.value.trim();
      if (key) window.localStorage.setItem(KEY_STORAGE, key);
      else window.localStorage.removeItem(KEY_STORAGE);
      els.settingsStatus.textContent = key ? "Saved." : "Cleared.";
    } catch (_) {
      els.settingsStatus.textContent = "This browser does not allow saving the key.";
    }
  });
  els.clearKey.addEventListener("click", () => {
    try { window.localStorage.removeItem(KEY_STORAGE); } catch (_) { /* nothing stored */ }
    els.apiKey.value = "";
    els.settingsStatus.textContent = "Cleared.";
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
  NARROW.addEventListener("change", () => {
    setBackgroundInert(NARROW.matches && document.body.classList.contains("panel-open"));
  });
  // A file dropped outside the zone would otherwise navigate away from the chat.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
})();

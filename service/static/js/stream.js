// The streamed answer: POST /api/ask/stream and its Server-Sent Events (token*, citations, done | error),
// read over fetch because EventSource cannot POST.

import { authHeaders, errorMessage } from "./api.js";
import { currentScope } from "./scope.js";

// The API takes at most 40 earlier turns of 20,000 characters; the last few carry the context.
const HISTORY_TURNS = 12;
const TURN_CHARS = 20000;

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
  return data.length ? { event, data: JSON.parse(data.join("\n")) } : null;
}

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

// Ask `question` after `history` ([{role, content}], oldest first). onToken(text) gets each piece as it
// arrives. Resolves to {answer, failure}: the Answer object of the citations event (null when none came)
// and the error text (null when none). Rejects with an AbortError when `signal` aborts.
export async function streamAnswer(question, history, signal, onToken) {
  let answer = null;
  let failure = null;
  try {
    const response = await fetch("api/ask/stream", {
      method: "POST",
      headers: authHeaders({ "Content-Type": "application/json", Accept: "text/event-stream" }),
      body: JSON.stringify({
        question,
        scope: currentScope(),
        history: history.slice(-HISTORY_TURNS).map((turn) => ({
          role: turn.role, content: turn.content.slice(0, TURN_CHARS),
        })),
      }),
      signal,
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    for await (const { event, data } of readEvents(response)) {
      if (event === "token") onToken(data.text);
      else if (event === "citations") answer = data;
      else if (event === "error") failure = data.detail || data.error;
    }
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    failure = err && err.message ? err.message : String(err);
  }
  return { answer, failure };
}

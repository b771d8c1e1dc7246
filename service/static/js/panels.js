// The two side panels (source, documents): open one at a time, restore focus to what opened it, and on a
// narrow screen, where a panel covers the chat, keep focus and screen readers inside it until it closes.

import { $ } from "./dom.js";

const NARROW = window.matchMedia("(max-width: 760px)");
export const sourcePanel = $("source-panel");
export const docsPanel = $("docs-panel");
const toggleDocs = $("toggle-docs");
let opener = null;

function setBackgroundInert(inert) {
  for (const node of [$("chat"), document.querySelector(".topbar"), $("settings")]) {
    if (node) node.inert = inert;
  }
}

export function openPanel(panel, openedBy) {
  const by = openedBy || document.activeElement;
  // a control inside an open panel (a quiz's Next card, a document in the Documents list) opens this one: Escape
  // still goes back to what opened the first panel, not to a button hidden when its panel closes
  const inPanel = [sourcePanel, docsPanel].some((open) => !open.hidden && open.contains(by));
  const first = inPanel && opener ? opener : by;
  for (const other of [sourcePanel, docsPanel]) {
    if (other !== panel) closePanel(other, false);
  }
  opener = first;
  panel.hidden = false;
  document.body.classList.add("panel-open");
  setBackgroundInert(NARROW.matches);
  if (panel === docsPanel) toggleDocs.setAttribute("aria-expanded", "true");
}

export function closePanel(panel, restoreFocus = true) {
  if (panel.hidden) return;
  panel.hidden = true;
  if (panel === docsPanel) toggleDocs.setAttribute("aria-expanded", "false");
  if (sourcePanel.hidden && docsPanel.hidden) {
    document.body.classList.remove("panel-open");
    setBackgroundInert(false);
  }
  if (restoreFocus && opener && document.contains(opener)) opener.focus();
  opener = null;
}

// Escape closes the panel on top; returns false when none is open.
export function closeTopPanel() {
  const open = [sourcePanel, docsPanel].find((panel) => !panel.hidden);
  if (!open) return false;
  closePanel(open);
  return true;
}

// Tab and Shift+Tab wrap around inside an overlay panel.
export function trapFocus(event) {
  const panel = [sourcePanel, docsPanel].find((p) => !p.hidden);
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

NARROW.addEventListener("change", () => {
  setBackgroundInert(NARROW.matches && document.body.classList.contains("panel-open"));
});

// DOM helpers shared by every module. Text only ever enters the page as text nodes (textContent or
// createTextNode), never as HTML, so a note cannot inject markup or script.

export const $ = (id) => document.getElementById(id);

// el("button", { className, text, onclick, "aria-label": ... }, [children]): one element, built with DOM APIs.
export function el(tag, props, children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (name === "className") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "hidden") node.hidden = Boolean(value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, String(value));
  }
  for (const child of children || []) {
    if (child === null || child === undefined) continue;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

export function announce(message) {
  const announcer = $("announcer");
  announcer.textContent = "";
  // A fresh text node after a tick makes screen readers announce repeated messages too.
  window.setTimeout(() => { announcer.textContent = message; }, 30);
}

export function breadcrumbText(crumbs) {
  return crumbs.filter(Boolean).join(" › ");
}

export function truncate(text, limit) {
  const clean = text.replace(/\s+/g, " ").trim();
  return clean.length > limit ? clean.slice(0, limit - 1) + "…" : clean;
}

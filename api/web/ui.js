// Small DOM helpers shared by the page's screens. Text always goes in as text (never markup).
import { OfflineError } from "/static/client.js";
import { SAID } from "/static/words.js";

export const $ = (id) => document.getElementById(id);

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "on") for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else if (key === "data") Object.assign(node.dataset, value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
  }
  return node;
}

export function say(target, message, kind = "error") {
  target.textContent = message || "";
  target.dataset.kind = kind;
}

// A button that talks to the server: it cannot be pressed twice while its request runs, says
// so after a moment on a slow network, and without signal answers at once that the step
// needs the server instead of doing nothing.
export async function busy(button, message, action) {
  if (button.getAttribute("aria-busy") === "true") return;
  if (navigator.onLine === false) {
    say(message, SAID.offline);
    return;
  }
  const label = button.textContent;
  button.setAttribute("aria-busy", "true");
  button.disabled = true;
  const slow = setTimeout(() => {
    button.textContent = SAID.sending;
  }, 400);
  try {
    await action();
  } catch (error) {
    console.warn(error);
    say(message, error instanceof OfflineError ? SAID.offline : SAID.failed);
  } finally {
    clearTimeout(slow);
    if (button.textContent === SAID.sending) button.textContent = label;
    button.removeAttribute("aria-busy");
    if (!button.dataset.done) button.disabled = false;
  }
}

export function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = el("textarea", { readonly: true, class: "offscreen", "aria-hidden": "true" });
  area.value = text;
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  return ok ? Promise.resolve() : Promise.reject(new Error("copy"));
}

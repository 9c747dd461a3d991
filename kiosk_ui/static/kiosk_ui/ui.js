// The screens' small UI kit: the active language's messages, a DOM helper, toasts, the
// blocking message of a refused connection, and the confirmation dialogs (<dialog> elements of
// the templates whose confirm button submits with value "confirm").

let messages = null;

/** The active language's strings, rendered by the template into <script id="i18n">. */
export function t(key, values = {}) {
  if (messages === null) {
    const element = document.getElementById("i18n");
    messages = element ? JSON.parse(element.textContent) : {};
  }
  const text = messages[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in values ? values[name] : match));
}

/** A short-lived message at the bottom of the screen; errors stay longer. */
export function toast(message, { kind = "error", timeout } = {}) {
  const host = document.getElementById("toasts");
  if (!host) return;
  const item = document.createElement("div");
  item.className = `toast toast-${kind}`;
  item.setAttribute("role", kind === "error" ? "alert" : "status");
  const text = document.createElement("span");
  text.className = "toast-text";
  text.textContent = message;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "toast-close";
  close.setAttribute("aria-label", t("toast.close"));
  close.textContent = "×";
  item.append(text, close);
  const remove = () => item.remove();
  close.addEventListener("click", remove);
  host.append(item);
  while (host.children.length > 4) host.firstElementChild.remove();
  setTimeout(remove, timeout ?? (kind === "error" ? 8000 : 4000));
}

/** A message over the whole screen, for a connection the server refused for good. */
export function block(message) {
  const blocker = document.getElementById("blocker");
  if (!blocker) return;
  document.getElementById("blocker-message").textContent = message;
  blocker.hidden = false;
}

/** Small DOM helper: el("li", {className: "x", dataset: {id: 1}, style: {"--depth": 1}}, "text"). */
export function el(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(element.dataset, value);
    else if (key === "style") {
      for (const [name, css] of Object.entries(value)) element.style.setProperty(name, css);
    }
    else if (key in element) element[key] = value;
    else element.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) element.append(child);
  }
  return element;
}

export function setText(id, text) {
  const element = document.getElementById(id);
  if (element && element.textContent !== String(text)) element.textContent = text;
}

/** Open a modal dialog afresh: a returnValue left by its last closing must not count. */
export function ask(dialog) {
  dialog.returnValue = "";
  dialog.showModal();
}

/** Run `action` each time `dialog` closes confirmed (its submit button's value "confirm"). */
export function onConfirm(dialog, action) {
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "confirm") action();
  });
}

// File fields in the page's language. Chromium writes "Choose File" / "No file chosen" in the
// browser's own language (English on many office PCs), whatever the page's, in small type.
// The input stays where it is (forms, `required`, other scripts read it) but is drawn as a
// button and a line of ours: the words come from the page (data-choose, data-none).
(() => {
  const script = document.currentScript;
  const choose = script.dataset.choose;
  const none = script.dataset.none;
  for (const input of document.querySelectorAll("input[type=file]")) {
    // A field already in a label opens the dialog from anywhere in it; else ours is a label.
    const wrap = document.createElement(input.closest("label") ? "span" : "label");
    wrap.className = "file-pick";
    const button = document.createElement("span");
    button.className = "btn btn-ghost file-pick-button";
    button.textContent = choose;
    const name = document.createElement("span");
    name.className = "file-pick-name";
    name.textContent = none;
    input.parentNode.insertBefore(wrap, input);
    wrap.append(input, button, name);
    const show = () => {
      name.textContent = [...input.files].map((file) => file.name).join(", ") || none;
    };
    input.addEventListener("change", show);
    input.form?.addEventListener("reset", () => setTimeout(show));
  }
})();

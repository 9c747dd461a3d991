// Forms in the page's language. Chromium writes its own words in the browser's language
// (English on many office PCs), whatever the page's: "Choose File" / "No file chosen" on file
// fields, "Please fill out this field." when a required field is left empty. The words here
// come from the page (data-* of this script's tag), so they follow the chosen language.
(() => {
  const words = document.currentScript.dataset;

  // File fields: the input stays (forms, `required`, other scripts read it) but is drawn as a
  // button and the chosen name.
  for (const input of document.querySelectorAll("input[type=file]")) {
    // A field already in a label opens the dialog from anywhere in it; else ours is a label.
    const wrap = document.createElement(input.closest("label") ? "span" : "label");
    wrap.className = "file-pick";
    const button = document.createElement("span");
    button.className = "btn btn-ghost file-pick-button";
    button.textContent = words.choose;
    const name = document.createElement("span");
    name.className = "file-pick-name";
    name.textContent = words.none;
    input.parentNode.insertBefore(wrap, input);
    wrap.append(input, button, name);
    const show = () => {
      name.textContent = [...input.files].map((file) => file.name).join(", ") || words.none;
    };
    input.addEventListener("change", show);
    input.form?.addEventListener("reset", () => setTimeout(show));
  }

  // The browser's checks before sending (required, a pattern, a range), said in our words.
  const said = (field) => {
    const state = field.validity;
    if (state.valueMissing) {
      if (field.type === "radio" || field.type === "checkbox") return words.pick;
      if (field.type === "file") return words.file;
      return field.tagName === "SELECT" ? words.pick : words.missing;
    }
    if (state.patternMismatch) return field.title || words.format;
    if (state.rangeUnderflow || state.rangeOverflow) {
      return words.range.replace("%min", field.min).replace("%max", field.max);
    }
    if (state.typeMismatch || state.badInput) return words.format;
    return "";
  };
  document.addEventListener(
    "invalid",
    (event) => {
      const field = event.target;
      field.setCustomValidity("");
      if (!field.validity.valid) field.setCustomValidity(said(field));
    },
    true,
  );
  const clear = (event) => {
    const field = event.target;
    if (!field.setCustomValidity) return;
    field.setCustomValidity("");
    // A radio group is one answer: choosing one clears the words on all of them.
    if (field.type === "radio" && field.form) {
      for (const other of field.form.querySelectorAll(`input[type=radio][name="${field.name}"]`)) {
        other.setCustomValidity("");
      }
    }
  };
  document.addEventListener("input", clear, true);
  document.addEventListener("change", clear, true);
})();

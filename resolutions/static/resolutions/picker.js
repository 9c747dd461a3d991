// The earlier resolution an amendment or a repeal names, picked from a list (views/picker.py):
// the form's <select> holds the council's latest resolutions; typing a number or words of the
// title (no diacritics needed) narrows it from the server's search index.
(function () {
  "use strict";

  function fill(select, results, empty) {
    const chosen = select.value;
    select.replaceChildren(new Option(empty, ""));
    for (const item of results) {
      const option = new Option(item.label, String(item.id));
      option.dataset.status = item.status;
      select.add(option);
    }
    if (results.some((item) => String(item.id) === chosen)) select.value = chosen;
  }

  function attach(box) {
    const search = box.querySelector(".res-target-search");
    const select = box.querySelector("select[name=target]");
    const count = box.querySelector(".res-target-count");
    const empty = select.options[0] ? select.options[0].text : "";
    let timer = null;
    let asked = 0;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const ask = ++asked;
        const url = new URL(box.dataset.url, window.location.href);
        url.searchParams.set("council", box.dataset.council);
        url.searchParams.set("q", search.value);
        try {
          const answer = await fetch(url, { credentials: "same-origin" });
          if (!answer.ok || ask !== asked) return;  // a later keystroke's answer wins
          const { results } = await answer.json();
          fill(select, results, empty);
          if (count) count.textContent = count.dataset.template.replace("%n", results.length);
          if (results.length === 1) select.value = String(results[0].id);
        } catch (error) {
          // Offline a moment: the list stays as it was; the clerk can still pick from it.
        }
      }, 200);
    });
  }

  document.querySelectorAll("[data-target-picker]").forEach(attach);
})();

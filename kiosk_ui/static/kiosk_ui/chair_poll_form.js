// The console's form for a new poll on the current agenda item: its rules checked here first
// (the server checks them again), then `poll.create`; `created(answer, openNow)` goes on
// (the "create and open" button opens it at once).
import { setText, t } from "./ui.js";

export function pollForm({ client, state, created }) {
  const dialog = document.getElementById("poll-dialog");
  const form = document.getElementById("poll-form");
  const formError = document.getElementById("poll-form-error");

  function currentItem() {
    return state.agenda.find((item) => item.id === state.session?.current_item_id) ?? null;
  }

  function syncForm() {
    const options = form.elements.choice_type.value === "options";
    document.getElementById("poll-options-fields").hidden = !options;
    // Partial counts are for named polls only: a secret poll's would tell each ballot in turn.
    const partial = document.getElementById("poll-show-partial");
    partial.disabled = form.elements.kind.value === "secret";
    if (partial.disabled) partial.checked = false;
  }
  form.addEventListener("change", syncForm);

  document.getElementById("poll-new").addEventListener("click", () => {
    form.reset();
    const item = currentItem();
    document.getElementById("poll-title").value = item ? item.title : "";
    form.dataset.agendaItemId = item ? String(item.id) : "";
    setText("poll-item-line", item ? t("poll.for_item", { number: item.number, title: item.title }) : t("poll.no_item"));
    formError.hidden = true;
    syncForm();
    dialog.showModal();
    document.getElementById("poll-title").focus();
  });
  document.getElementById("poll-form-cancel").addEventListener("click", () => dialog.close());

  function fail(message) {
    formError.textContent = message;
    formError.hidden = false;
    return null;
  }

  function readForm() {
    const title = document.getElementById("poll-title").value.trim();
    if (!title) return fail(t("poll.title_required"));
    const data = { title, kind: form.elements.kind.value, choice_type: form.elements.choice_type.value };
    if (form.dataset.agendaItemId) data.agenda_item_id = Number(form.dataset.agendaItemId);
    if (data.choice_type === "options") {
      const options = document
        .getElementById("poll-options")
        .value.split("\n")
        .map((line) => line.trim())
        .filter(Boolean);
      if (options.length < 2) return fail(t("poll.options_required"));
      const min = Number(document.getElementById("poll-min").value || 0);
      const max = Number(document.getElementById("poll-max").value || 1);
      if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < Math.max(1, min) || max > options.length) {
        return fail(t("poll.bounds_invalid", { n: options.length }));
      }
      Object.assign(data, { options, min_selections: min, max_selections: max });
    }
    const countdown = document.getElementById("poll-countdown").value.trim();
    if (countdown) {
      const seconds = Number(countdown);
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86400) return fail(t("poll.countdown_invalid"));
      data.countdown_seconds = seconds;
    }
    for (const name of ["base", "threshold"]) {
      const value = document.getElementById(`poll-${name}`).value;
      if (value) data[name] = value;
    }
    data.quorum = document.getElementById("poll-quorum").value || "none";
    data.presence_quorum = document.getElementById("poll-presence-quorum").value || "none";
    data.allow_change = document.getElementById("poll-allow-change").checked;
    // A secret poll shows no partial count before its close (the server refuses it too).
    data.show_partial = data.kind === "named" && document.getElementById("poll-show-partial").checked;
    return data;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = readForm();
    if (!data) return;
    const openNow = event.submitter?.value === "open";
    const buttons = form.querySelectorAll("button");
    for (const button of buttons) button.disabled = true;
    try {
      const answer = await client.command("poll.create", data, { quiet: true });
      dialog.close();
      await created(answer, openNow);
    } catch (error) {
      fail(error.message || String(error));
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  });
}

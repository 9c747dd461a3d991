// The console's agenda and session buttons: open (with the officers' names), adjourn, resume,
// close; the agenda and the current item (a jump of more than one item asks first; "back"
// returns to where the room was). The title line and the attendance numbers: sitting.js.
import { agendaItemContent, isLive, renderAgendaList } from "./sitting.js";
import { ask, el, onConfirm, setText, t } from "./ui.js";

/** Tells the other features "session": the session's status changed. */
export function install(screen) {
  const { client, state } = screen;
  const { quorum } = screen.features;
  const body = document.body;
  // back: the item the room was on before the last jump (more than one item), to return to it.
  // me: the console user's own delegate (the chair votes from the console).
  Object.assign(state, { back: null, me: null });
  let itemId = null; // the current item as last drawn: where an agenda.current moves from

  const ALLOWED = {
    "session.open": ["scheduled"],
    "session.adjourn": ["in_progress"],
    "session.resume": ["adjourned"],
    "session.close": ["in_progress", "adjourned"],
  };

  function renderControls() {
    const status = state.session?.status;
    for (const button of document.querySelectorAll(".session-buttons [data-command]")) {
      button.disabled = !ALLOWED[button.dataset.command].includes(status);
    }
    const live = isLive(state.session);
    const index = state.agenda.findIndex((item) => item.id === state.session?.current_item_id);
    document.getElementById("previous-item").disabled = !live || index <= 0;
    document.getElementById("next-item").disabled = !live || index >= state.agenda.length - 1;
    const hint = document.getElementById("session-hint");
    hint.textContent = status === "draft" ? t("session.draft_hint") : status === "closed" ? t("session.closed") : "";
    hint.hidden = !hint.textContent;
    // Closed: nothing left to run; the record and the minutes take the buttons' place.
    document.getElementById("session-record").hidden = status !== "closed";
    document.querySelector(".session-buttons").hidden = status === "closed";
    for (const button of document.querySelectorAll("#agenda .agenda-button")) button.disabled = !live;
    renderBack(live);
  }

  function sessionChanged() {
    renderCurrent();
    renderControls();
    screen.changed("session");
  }

  // -- agenda -------------------------------------------------------------------------------
  function renderAgenda() {
    renderAgendaList(state.agenda, {
      content: (item) => [
        el("button", { type: "button", className: "agenda-button", dataset: { itemId: item.id } }, ...agendaItemContent(item)),
      ],
    });
  }

  function renderCurrent() {
    itemId = state.session?.current_item_id ?? null;
    const id = String(itemId ?? "");
    body.dataset.currentItemId = id;
    for (const row of document.querySelectorAll("#agenda .agenda-item")) {
      const on = row.dataset.itemId === id;
      row.classList.toggle("current", on);
      if (on) {
        row.setAttribute("aria-current", "step");
        row.scrollIntoView({ block: "nearest" });
      } else {
        row.removeAttribute("aria-current");
      }
    }
  }

  function itemLabel(item) {
    return item ? `${item.number}. ${item.title}` : "";
  }

  /** The room moves with one tap to the next or previous item; further, the chair confirms. */
  document.getElementById("agenda").addEventListener("click", (event) => {
    const button = event.target.closest(".agenda-button");
    if (!button || button.disabled) return;
    const itemId = Number(button.dataset.itemId);
    const current = state.session?.current_item_id;
    if (itemId === current) return;
    const from = state.agenda.findIndex((item) => item.id === current);
    const to = state.agenda.findIndex((item) => item.id === itemId);
    if (from >= 0 && Math.abs(to - from) <= 1) {
      client.command("agenda.select", { item_id: itemId }).catch(() => {});
      return;
    }
    confirmJump.dataset.itemId = String(itemId);
    setText("confirm-jump-from", itemLabel(state.agenda[from]) || t("agenda.none"));
    setText("confirm-jump-to", itemLabel(state.agenda[to]));
    ask(confirmJump);
  });

  const confirmJump = document.getElementById("confirm-jump");
  onConfirm(confirmJump, () => {
    client.command("agenda.select", { item_id: Number(confirmJump.dataset.itemId) }).catch(() => {});
  });

  /** After a jump, one tap takes the room back to where it was. */
  function renderBack(live) {
    const button = document.getElementById("agenda-back");
    const item = state.agenda.find((candidate) => candidate.id === state.back);
    button.hidden = !item || !live;
    button.dataset.itemId = item ? String(item.id) : "";
    setText("agenda-back-text", item ? t("agenda.back", { item: itemLabel(item) }) : "");
  }

  document.getElementById("agenda-back").addEventListener("click", (event) => {
    const itemId = Number(event.currentTarget.dataset.itemId);
    if (itemId) client.command("agenda.select", { item_id: itemId }).catch(() => {});
  });

  function moved(previousId, currentId) {
    const from = state.agenda.findIndex((item) => item.id === previousId);
    const to = state.agenda.findIndex((item) => item.id === currentId);
    if (currentId === state.back) state.back = null; // back where it was
    else if (from >= 0 && to >= 0 && Math.abs(to - from) > 1) state.back = previousId;
    else state.back = null;
  }

  function stepButton(id, type) {
    document.getElementById(id).addEventListener("click", async (event) => {
      const button = event.currentTarget;
      button.disabled = true;
      try {
        await client.command(type);
      } catch {
        // shown in a toast
      } finally {
        renderControls();
      }
    });
  }
  stepButton("next-item", "agenda.next");
  stepButton("previous-item", "agenda.previous");

  // -- session buttons ----------------------------------------------------------------------
  const confirmClose = document.getElementById("confirm-close");
  for (const button of document.querySelectorAll(".session-buttons [data-command]")) {
    button.addEventListener("click", () => {
      const type = button.dataset.command;
      if (type === "session.close") {
        ask(confirmClose);
        return;
      }
      if (type === "session.open" && !(state.session?.chair_name && state.session?.secretary_name)) {
        ask(officersDialog);
        return;
      }
      // Opening below the quorum asks for the chair's reason (chair_quorum.js).
      if (type === "session.open") quorum.run(type).catch(() => {});
      else client.command(type).catch(() => {});
    });
  }

  // The minutes name the chair and the secretary: asked for when the sitting opens without them.
  const officersDialog = document.getElementById("officers-dialog");
  const officerInputs = {
    chair_name: "officers-chair-name",
    chair_title: "officers-chair-title",
    secretary_name: "officers-secretary-name",
    secretary_title: "officers-secretary-title",
  };
  onConfirm(officersDialog, () => {
    const data = {};
    for (const [field, id] of Object.entries(officerInputs)) data[field] = document.getElementById(id).value.trim();
    quorum.run("session.open", data).catch(() => {});
  });
  onConfirm(confirmClose, () => client.command("session.close").catch(() => {}));

  screen.snapshot((data) => {
    state.me = data.me ?? null; // the console user's own delegate: the chair votes from here
    renderAgenda();
    sessionChanged();
  });
  screen.on("session.changed", sessionChanged);
  screen.on("agenda.current", (data) => {
    moved(itemId, data.current_item_id);
    renderCurrent();
    renderControls();
  });
}

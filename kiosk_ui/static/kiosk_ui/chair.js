// The chair's console: session status, the agenda, attendance, quorum and the roster; votes
// (chair_voting.js); pages shown to the room (chair_documents.js).
import { ChamberClient } from "./client.js";
import { agendaItemContent, isLive, renderSession, renderSummary } from "./sitting.js";
import { block, el, setText, t } from "./ui.js";
import { setupChairDocuments } from "./chair_documents.js";
import { setupQuorumOverride } from "./chair_quorum.js";
import { setupChairVoting } from "./chair_voting.js";
import { roomView } from "./room.js";

const body = document.body;
// Presence of a tablet whose worker process died only shows in a new snapshot.
const REFRESH_MS = 30000;
// back: the item the room was on before the last jump (more than one item), to return to it.
// me: the console user's own delegate (the chair votes from the console).
const state = { session: null, agenda: [], roster: new Map(), back: null, me: null };
let voting = null;
let documents = null;

// -- session ------------------------------------------------------------------------------
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
  for (const button of document.querySelectorAll("#roster .seg-btn")) button.disabled = status === "closed";
}

function sessionChanged(session) {
  state.session = session;
  renderSession(session);
  renderCurrent();
  renderControls();
  voting?.render();
  documents?.render();
}

/** What the projector shows now, decided as the projector decides it (room.js). */
function room() {
  return roomView({ session: state.session, polls: voting.store, presentation: documents.presentation() });
}

function renderRoom() {
  body.dataset.roomView = room().view;
  documents.render();
}

// -- agenda -------------------------------------------------------------------------------
function renderAgenda() {
  const list = document.getElementById("agenda");
  list.replaceChildren(
    ...state.agenda.map((item) =>
      el(
        "li",
        {
          className: "agenda-item",
          dataset: { itemId: item.id, depth: item.depth },
          style: { "--depth": item.depth },
        },
        el(
          "button",
          { type: "button", className: "agenda-button", dataset: { itemId: item.id } },
          ...agendaItemContent(item),
        ),
      ),
    ),
  );
  if (!state.agenda.length) list.append(el("li", { className: "agenda-empty muted" }, t("agenda.empty")));
}

function renderCurrent() {
  const id = String(state.session?.current_item_id ?? "");
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
  confirmJump.returnValue = "";
  confirmJump.showModal();
});

const confirmJump = document.getElementById("confirm-jump");
confirmJump.addEventListener("close", () => {
  if (confirmJump.returnValue !== "confirm") return;
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
      confirmClose.returnValue = "";
      confirmClose.showModal();
      return;
    }
    if (type === "session.open" && !(state.session?.chair_name && state.session?.secretary_name)) {
      officersDialog.returnValue = "";
      officersDialog.showModal();
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
officersDialog.addEventListener("close", () => {
  if (officersDialog.returnValue !== "confirm") return;
  const data = {};
  for (const [field, id] of Object.entries(officerInputs)) data[field] = document.getElementById(id).value.trim();
  quorum.run("session.open", data).catch(() => {});
});
confirmClose.addEventListener("close", () => {
  if (confirmClose.returnValue === "confirm") client.command("session.close").catch(() => {});
});

// -- roster -------------------------------------------------------------------------------
const markTemplate = document.getElementById("mark-buttons");

function rosterRow(delegate) {
  const marks = markTemplate.content.firstElementChild.cloneNode(true);
  return el(
    "tr",
    { dataset: { delegateId: delegate.id } },
    el("td", { className: "col-seat" }, delegate.seat || "–"),
    el(
      "td",
      {},
      el("div", { className: "roster-name" }, delegate.full_name),
      delegate.title ? el("div", { className: "roster-title muted small" }, delegate.title) : null,
    ),
    el("td", {}, el("span", { className: "chip attendance-chip" })),
    el("td", {}, el("span", { className: "presence" }, el("span", { className: "presence-dot" }), el("span", { className: "presence-label" }))),
    el("td", { className: "col-actions" }, marks),
  );
}

function updateRow(row, delegate) {
  const status = delegate.status ?? "";
  row.dataset.status = status;
  row.dataset.connected = delegate.connected ? "true" : "false";
  // Marked present at the console: no tablet is expected, so its absence is no alarm.
  const lost = status === "present" && !delegate.connected && !delegate.by_staff;
  row.dataset.byStaff = delegate.by_staff ? "true" : "false";
  row.classList.toggle("flag-lost", lost);
  const chip = row.querySelector(".attendance-chip");
  chip.dataset.status = status;
  chip.textContent = t(`attendance.${status || "none"}`);
  const presence = row.querySelector(".presence");
  const presenceState = delegate.connected
    ? "online"
    : lost
      ? "lost"
      : status === "present" && delegate.by_staff
        ? "by_staff"
        : "offline";
  presence.dataset.state = presenceState;
  presence.querySelector(".presence-label").textContent = t(`presence.${presenceState}`);
  presence.title = t(`presence.${presenceState}`);
  for (const button of row.querySelectorAll(".seg-btn")) {
    const on = button.dataset.status === status;
    button.classList.toggle("active", on);
    button.setAttribute("aria-pressed", on ? "true" : "false");
  }
}

function renderRoster() {
  const tbody = document.querySelector("#roster tbody");
  const rows = [];
  for (const delegate of state.roster.values()) {
    const row = rosterRow(delegate);
    updateRow(row, delegate);
    rows.push(row);
  }
  tbody.replaceChildren(...rows);
  renderFlags();
}

function updateDelegate(id, change) {
  const delegate = state.roster.get(id);
  if (!delegate) {
    client.resync(); // a delegate we do not know yet: take the roster again
    return;
  }
  Object.assign(delegate, change);
  const row = document.querySelector(`#roster tr[data-delegate-id="${id}"]`);
  if (row) updateRow(row, delegate);
  renderFlags();
  voting?.renderSoon(); // who has not voted yet follows the roster
}

// A badge that signed in on a second device while a tablet of that delegate was connected
// (issue 10 item 13): flagged on the roster, without covering the console's controls.
const secondDevices = new Map();

function flagSecondDevice(data) {
  secondDevices.set(data.delegate_id, data);
  const row = document.querySelector(`#roster tr[data-delegate-id="${data.delegate_id}"]`);
  if (row) {
    row.dataset.secondDevice = "true";
    row.title = data.message;
  }
  renderFlags();
}

function renderFlags() {
  const lost = [...state.roster.values()].filter((d) => d.status === "present" && !d.connected && !d.by_staff).length;
  const line = document.getElementById("roster-flags");
  const parts = lost ? [`${t("presence.lost")}: ${lost}`] : [];
  if (secondDevices.size) {
    const names = [...secondDevices.values()].map((d) => d.full_name).join(", ");
    parts.push(`${t("badge.second_device")}: ${names}`);
  }
  line.textContent = parts.join(" · ");
  line.title = [...secondDevices.values()].map((d) => d.message).join("\n");
  line.classList.toggle("flag-text", parts.length > 0);
  body.dataset.lostTablets = String(lost);
  body.dataset.secondDevices = String(secondDevices.size);
}

document.querySelector("#roster tbody").addEventListener("click", (event) => {
  const button = event.target.closest(".seg-btn");
  if (!button || button.disabled) return;
  const row = button.closest("tr");
  const delegateId = Number(row.dataset.delegateId);
  const status = button.dataset.status;
  if (state.roster.get(delegateId)?.status === status) return;
  if (status === "excused" || status === "left") {
    // An absence with its reason, for the minutes.
    reasonTarget = { delegate_id: delegateId, status };
    setText("reason-title", `${state.roster.get(delegateId)?.full_name ?? ""}: ${t(`attendance.${status}`)}`);
    document.getElementById("reason-text").value = "";
    reasonDialog.returnValue = "";
    reasonDialog.showModal();
    return;
  }
  client.command("attendance.mark", { delegate_id: delegateId, status }).catch(() => {});
});

const reasonDialog = document.getElementById("reason-dialog");
let reasonTarget = null;
reasonDialog.addEventListener("close", () => {
  if (reasonDialog.returnValue !== "confirm" || !reasonTarget) return;
  const reason = document.getElementById("reason-text").value.trim();
  client.command("attendance.mark", { ...reasonTarget, reason }).catch(() => {});
  reasonTarget = null;
});

// -- connection ---------------------------------------------------------------------------
const client = new ChamberClient({
  path: body.dataset.wsPath,
  onSnapshot(data) {
    state.agenda = data.agenda;
    state.roster = new Map(data.roster.map((d) => [d.id, { ...d }]));
    state.me = data.me ?? null; // the console user's own delegate: the chair votes from here
    setText("council-name", data.council.name);
    renderAgenda();
    renderRoster();
    renderSummary(data.attendance);
    sessionChanged(data.session);
    voting.load(data.polls);
    documents.load(data);
    renderRoom();
  },
  handlers: {
    "session.changed": (data) => {
      sessionChanged(data);
      renderRoom();
    },
    "agenda.current": (data) => {
      moved(state.session?.current_item_id, data.current_item_id);
      state.session = { ...state.session, current_item_id: data.current_item_id };
      renderCurrent();
      renderControls();
      renderRoom();
    },
    "attendance.summary": (data) => renderSummary(data),
    // A notice, for the roster; the count comes with attendance.summary, in seq order.
    "attendance.changed": (data) =>
      updateDelegate(data.delegate_id, { status: data.status, by_staff: Boolean(data.by_staff) }),
    "roster.presence": (data) => updateDelegate(data.delegate_id, { connected: data.connected }),
    "badge.second_device": (data) => flagSecondDevice(data),
  },
  onRefused(code) {
    if (code === 4401) location.assign(body.dataset.loginUrl);
    else block(t(`closed.${code}`));
  },
});

setInterval(() => {
  if (client.state === "open") client.resync();
}, REFRESH_MS);

const quorum = setupQuorumOverride({ client });
voting = setupChairVoting({ client, state, quorum });
Object.assign(client.handlers, voting.handlers);
documents = setupChairDocuments({ client, state, room });
Object.assign(client.handlers, documents.handlers);
// What the room sees follows the votes and the page shown.
for (const [type, handler] of Object.entries(client.handlers)) {
  if (type.startsWith("poll.") || type === "document.shown") {
    client.handlers[type] = (data, frame) => {
      handler(data, frame);
      renderRoom();
    };
  }
}

// For the browser tests and for looking around in the developer tools.
window.chamber = { client, state, voting, documents, quorum };
client.start();

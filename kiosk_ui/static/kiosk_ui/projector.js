// The room's projector: the current item, attendance and quorum, in very large type; during a
// vote its progress and countdown, then the published result; a page the console shows; the
// closing screen once the sitting is closed.
//
// What the room sees is decided from the server's state alone (room.js): the server takes a
// page down when something else takes the room, so the console and the tablets agree with it.
import { ChamberClient } from "./client.js";
import { wallClock } from "./clock.js";
import { renderSession, renderSummary } from "./sitting.js";
import { block, setText, t } from "./ui.js";
import { PollStore } from "./voting.js";
import { renderPresentation } from "./projector_documents.js";
import { renderPoll } from "./projector_voting.js";
import { roomView } from "./room.js";

const body = document.body;
const state = { session: null, agenda: [], polls: new PollStore(), presentation: null };

function renderCurrent() {
  const id = state.session?.current_item_id ?? null;
  const index = state.agenda.findIndex((item) => item.id === id);
  const current = index >= 0 ? state.agenda[index] : null;
  const box = document.getElementById("current-item");
  box.dataset.itemId = current ? String(current.id) : "";
  box.dataset.empty = current ? "false" : "true";
  body.dataset.currentItemId = current ? String(current.id) : "";
  setText("current-number", current ? current.number : "");
  setText("current-title", current ? current.title : t("agenda.none"));
  setText("current-presenter", current?.presenter ? t("agenda.presenter", { name: current.presenter }) : "");
  const parent = current ? state.agenda.find((item) => item.id === current.parent_id) : null;
  const parentLine = document.getElementById("current-parent");
  parentLine.hidden = !parent;
  setText("current-parent", parent ? `${parent.number}. ${parent.title}` : "");
  const next = index >= 0 ? state.agenda[index + 1] : null;
  const nextUp = document.getElementById("next-up");
  nextUp.hidden = !next || state.session?.status === "closed";
  setText("next-title", next ? `${next.number}. ${next.title}` : "");
}

function sessionChanged(session) {
  state.session = session;
  renderSession(session);
  renderCurrent();
  showRoom();
}

/** Show whatever the room should see now. */
function showRoom() {
  const room = roomView(state);
  renderPoll(room.view === "poll" ? room.poll : null, state.agenda);
  renderPresentation(room.page, state.agenda);
  document.getElementById("closing-panel").hidden = room.view !== "closed";
  document.getElementById("proj-main").dataset.view = room.view;
  body.dataset.view = room.view;
}

function pollEvent(apply) {
  return (data) => {
    apply(data);
    showRoom();
  };
}

// The room must never show a stale item without knowing it: probe a quiet link once a minute.
const IDLE_CHECK_MS = 60000;

const client = new ChamberClient({
  path: body.dataset.wsPath,
  idleCheckMs: IDLE_CHECK_MS,
  onSnapshot(data) {
    state.agenda = data.agenda;
    state.polls.load(data.polls);
    state.presentation = data.presentation?.document ? data.presentation : null;
    setText("council-name", data.council.name);
    renderSummary(data.attendance);
    sessionChanged(data.session);
  },
  handlers: {
    "session.changed": (data) => sessionChanged(data),
    "agenda.current": (data) => {
      state.session = { ...state.session, current_item_id: data.current_item_id };
      renderCurrent();
      showRoom();
    },
    "attendance.summary": (data) => renderSummary(data),
    "poll.opened": pollEvent((data) => state.polls.opened(data)),
    "poll.progress": pollEvent((data) => state.polls.progress(data)),
    "poll.closed": pollEvent((data) => state.polls.closed(data)),
    "poll.published": pollEvent((data) => state.polls.published(data)),
    "poll.cancelled": pollEvent((data) => state.polls.cancelled(data)),
    "document.shown": (data) => {
      state.presentation = data.document ? data : null;
      showRoom();
    },
  },
  onRefused(code) {
    block(t(`closed.${code}`));
  },
});

wallClock("clock");

// For the browser tests and for looking around in the developer tools.
window.chamber = { client, state };
client.start();

// The room's projector: the current item, attendance and quorum, in very large type; during a
// vote its progress and countdown, then the published result; a page the console shows.
//
// What the room sees: a vote that is open (or waiting for its result) always; otherwise the
// newest of the page shown, a vote's result and the agenda. A page stays up until the agenda
// moves on or a vote starts; the choice survives a reload (sessionStorage), since a snapshot
// does not say which came last.
import { ChamberClient, block, renderSession, renderSummary, setText, t } from "./chamber.js";
import { PollStore } from "./voting.js";
import { renderPresentation } from "./projector_documents.js";
import { renderPoll } from "./projector_voting.js";

const body = document.body;
const state = { session: null, agenda: [], polls: new PollStore(), presentation: null, pageUp: false };
const SETTLED_KEY = `chamber.projector.settled.${body.dataset.sessionId}`;

function presentationKey(presentation) {
  return presentation?.document ? `${presentation.document.id}:${presentation.page}` : "";
}

/** Something newer than the page took the room (the agenda moved, a vote): take the page down. */
function pageDown() {
  if (state.pageUp) sessionStorage.setItem(SETTLED_KEY, presentationKey(state.presentation));
  state.pageUp = false;
}

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
  showPoll();
}

function showPoll() {
  const featured = state.polls.featured(state.session?.current_item_id ?? null);
  renderPoll(featured, state.agenda);
  const voting = featured && (featured.poll.status === "open" || featured.poll.status === "closed");
  const page = state.pageUp && state.session?.status !== "closed" && !voting ? state.presentation : null;
  renderPresentation(page, state.agenda);
  if (page) document.getElementById("proj-main").dataset.view = "document";
}

/** A poll event: apply it to the store, then show whatever the room should see. */
function pollEvent(apply, { takesTheRoom = true } = {}) {
  return (data) => {
    apply(data);
    if (takesTheRoom) pageDown();
    showPoll();
  };
}

function presented(presentation) {
  state.presentation = presentation?.document ? presentation : null;
  state.pageUp = Boolean(state.presentation);
  sessionStorage.removeItem(SETTLED_KEY);
  showPoll();
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
    state.pageUp = Boolean(state.presentation) && sessionStorage.getItem(SETTLED_KEY) !== presentationKey(state.presentation);
    setText("council-name", data.council.name);
    renderSummary(data.attendance);
    sessionChanged(data.session);
  },
  handlers: {
    "session.changed": (data) => sessionChanged(data),
    "agenda.current": (data) => {
      state.session = { ...state.session, current_item_id: data.current_item_id };
      pageDown();
      renderCurrent();
      showPoll();
    },
    "attendance.summary": (data) => renderSummary(data),
    "poll.opened": pollEvent((data) => state.polls.opened(data)),
    "poll.progress": pollEvent((data) => state.polls.progress(data), { takesTheRoom: false }),
    "poll.closed": pollEvent((data) => state.polls.closed(data)),
    "poll.published": pollEvent((data) => state.polls.published(data)),
    "poll.cancelled": pollEvent((data) => state.polls.cancelled(data)),
    "document.shown": (data) => presented(data),
  },
  onRefused(code) {
    block(t(`closed.${code}`));
  },
});

function tick() {
  const now = new Date();
  setText("clock", now.toLocaleTimeString(document.documentElement.lang || "vi", { hour: "2-digit", minute: "2-digit" }));
}
tick();
setInterval(tick, 10000);

// For the browser tests and for looking around in the developer tools.
window.chamber = { client, state };
client.start();

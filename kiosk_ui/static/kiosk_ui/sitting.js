// What every screen shows of the sitting the same way: its title line and status badge, the
// attendance numbers with the quorum chip, and an agenda item's number, title and presenter.
//
// As a feature (installed first on every screen, screen.js) it keeps state.session and
// state.agenda from the snapshot, session.changed and agenda.current; the screen's own
// features register on the same types after it and find the state already applied.
import { el, setText, t } from "./ui.js";

/** The number, title and presenter of an agenda item, as every screen's agenda shows them. */
export function agendaItemContent(item) {
  return [
    el("span", { className: "agenda-number" }, item.number),
    el(
      "span",
      { className: "agenda-text" },
      el("span", { className: "agenda-title" }, item.title),
      item.presenter
        ? el("span", { className: "agenda-presenter" }, t("agenda.presenter", { name: item.presenter }))
        : null,
    ),
  ];
}

/**
 * The agenda in list #agenda: a row per item, indented by its depth, holding `content(item)`
 * (agendaItemContent, or a button around it); a line saying so when the agenda is empty.
 */
export function renderAgendaList(agenda, { className = () => "agenda-item", content = agendaItemContent } = {}) {
  const list = document.getElementById("agenda");
  list.replaceChildren(
    ...agenda.map((item) =>
      el(
        "li",
        { className: className(item), dataset: { itemId: item.id, depth: item.depth }, style: { "--depth": item.depth } },
        ...content(item),
      ),
    ),
  );
  if (!agenda.length) list.append(el("li", { className: "agenda-empty muted" }, t("agenda.empty")));
}

/** Attendance numbers and the quorum chip, the same on every screen. */
function renderSummary(summary) {
  if (!summary) return;
  setText("present-count", summary.present);
  setText("seats-count", summary.seats);
  setText("required-count", summary.required);
  const quorum = document.getElementById("quorum");
  if (quorum) {
    quorum.dataset.quorate = summary.quorate ? "true" : "false";
    quorum.textContent = summary.quorate ? t("quorum.yes") : t("quorum.no");
  }
  document.body.dataset.present = String(summary.present);
  document.body.dataset.quorate = summary.quorate ? "true" : "false";
}

/** The session's title line and status badge, the same on every screen. */
function renderSession(session) {
  if (!session) return;
  setText("session-title", `${t("session.title", { number: session.number })} · ${session.title}`);
  const status = document.getElementById("session-status");
  if (status) {
    status.className = `status status-${session.status}`;
    status.textContent = session.status_label;
  }
  document.body.dataset.sessionStatus = session.status;
  document.body.dataset.currentItemId = session.current_item_id ?? "";
}

export function isLive(session) {
  return session && (session.status === "in_progress" || session.status === "adjourned");
}

export function install(screen) {
  const { state } = screen;
  Object.assign(state, { session: null, agenda: [] });
  screen.snapshot((data) => {
    state.agenda = data.agenda;
    state.session = data.session;
    setText("council-name", data.council.name);
    renderSummary(data.attendance);
    renderSession(data.session);
  });
  screen.on("session.changed", (data) => {
    state.session = data;
    renderSession(data);
  });
  screen.on("agenda.current", (data) => {
    state.session = { ...state.session, current_item_id: data.current_item_id };
  });
  screen.on("attendance.summary", (data) => renderSummary(data));
}

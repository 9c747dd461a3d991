// What every screen shows of the sitting the same way: its title line and status badge, the
// attendance numbers with the quorum chip, and an agenda item's number, title and presenter.
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

/** Attendance numbers and the quorum chip, the same on every screen. */
export function renderSummary(summary) {
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
export function renderSession(session) {
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

// The projector's sitting: the session's title and status, the current agenda item with its
// parent and what comes next, attendance and quorum, in very large type.
import { renderSession, renderSummary } from "./sitting.js";
import { setText, t } from "./ui.js";

export function install(screen) {
  const { state } = screen;
  const body = document.body;
  Object.assign(state, { session: null, agenda: [] });

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
  }

  screen.snapshot((data) => {
    state.agenda = data.agenda;
    setText("council-name", data.council.name);
    renderSummary(data.attendance);
    sessionChanged(data.session);
  });
  screen.on("session.changed", (data) => sessionChanged(data));
  screen.on("agenda.current", (data) => {
    state.session = { ...state.session, current_item_id: data.current_item_id };
    renderCurrent();
  });
  screen.on("attendance.summary", (data) => renderSummary(data));
}

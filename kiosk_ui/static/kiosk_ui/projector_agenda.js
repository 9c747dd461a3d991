// The projector's agenda: the current item with its parent and what comes next, in very
// large type (the title line, attendance and quorum: sitting.js).
import { setText, t } from "./ui.js";

export function install(screen) {
  const { state } = screen;
  const body = document.body;

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

  screen.snapshot(renderCurrent);
  screen.on("session.changed", renderCurrent);
  screen.on("agenda.current", renderCurrent);
}

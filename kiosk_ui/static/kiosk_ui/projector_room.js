// What the room sees, decided from the server's state alone (room.js): the closing screen, a
// vote, the page shown or the agenda. Installed last, it decides after the other features
// applied a snapshot or an event, keeps it in state.room and tells them ("room"), then mirrors
// it on <body data-view> and <main data-view>.
import { roomView } from "./room.js";

export function install(screen) {
  const { state } = screen;
  const body = document.body;

  /** Show whatever the room should see now. */
  function showRoom() {
    state.room = roomView(state);
    screen.changed("room");
    document.getElementById("closing-panel").hidden = state.room.view !== "closed";
    document.getElementById("proj-main").dataset.view = state.room.view;
    body.dataset.view = state.room.view;
  }
  screen.snapshot(showRoom);
  for (const type of ["session.changed", "agenda.current", "poll.*", "document.shown"]) screen.on(type, showRoom);
}

// What the room's projector shows, as the console knows it (room.js decides, from the session,
// the votes and the page shown): mirrored on <body data-room-view> after anything that can
// change it, then told to the features as "room". Installed last: it reads what the others
// have just applied.
import { roomView } from "./room.js";

export function install(screen) {
  function renderRoom() {
    document.body.dataset.roomView = roomView(screen.state).view;
    screen.changed("room");
  }
  screen.snapshot(renderRoom);
  for (const type of ["session.changed", "agenda.current", "poll.*", "document.shown"]) screen.on(type, renderRoom);
}

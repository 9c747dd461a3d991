// The chair's console: the sitting (status, attendance and quorum), the agenda and the session's
// buttons, the roster, votes and the pages shown to the room, each a feature (screen.js).
import * as agenda from "./chair_agenda.js";
import * as documents from "./chair_documents.js";
import * as speakers from "./chair_floor.js";
import * as quorum from "./chair_quorum.js";
import * as room from "./chair_room.js";
import * as roster from "./chair_roster.js";
import * as tabs from "./chair_tabs.js";
import * as voting from "./chair_voting.js";
import { createScreen } from "./screen.js";
import * as sitting from "./sitting.js";
import * as floor from "./floor.js";
import { block, t } from "./ui.js";

const body = document.body;
// Presence of a tablet whose worker process died only shows in a new snapshot.
const REFRESH_MS = 30000;

const screen = createScreen({
  path: body.dataset.wsPath,
  onRefused(code) {
    if (code === 4401) location.assign(body.dataset.loginUrl);
    else block(t(`closed.${code}`));
  },
});
// The sitting first (it keeps the session and the agenda); quorum and tabs before those that
// use them; the room last: it reads what the others applied.
screen.install({ sitting, quorum, tabs, agenda, roster, floor, speakers, voting, documents, room }).start();

setInterval(() => {
  if (screen.client.state === "open") screen.client.resync();
}, REFRESH_MS);

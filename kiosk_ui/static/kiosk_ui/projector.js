// The room's projector: the current item, attendance and quorum, in very large type; during a
// vote its progress and countdown, then the published result; a page the console shows; the
// closing screen once the sitting is closed. Each a feature (screen.js), in this order.
//
// What the room sees is decided from the server's state alone (room.js): the server takes a
// page down when something else takes the room, so the console and the tablets agree with it.
import { wallClock } from "./clock.js";
import * as agenda from "./projector_agenda.js";
import * as documents from "./projector_documents.js";
import * as floor from "./floor.js";
import * as speakers from "./projector_floor.js";
import * as room from "./projector_room.js";
import * as voting from "./projector_voting.js";
import { createScreen } from "./screen.js";
import * as sitting from "./sitting.js";

// The room must never show a stale item without knowing it: probe a quiet link once a minute.
const IDLE_CHECK_MS = 60000;

// A refused connection (a wrong key, say) covers the wall with the reason (client.js).
createScreen({ path: document.body.dataset.wsPath, idleCheckMs: IDLE_CHECK_MS })
  .install({ sitting, agenda, floor, speakers, voting, documents, room })
  .start();
wallClock("clock");

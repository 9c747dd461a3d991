// The delegate's tablet: the sitting, the agenda (current item, attendance and check-in), the
// ballot while a vote is open, and the session's documents, each a feature (screen.js).
import { createScreen } from "./screen.js";
import * as sitting from "./sitting.js";
import * as agenda from "./tablet_agenda.js";
import * as floor from "./floor.js";
import * as speakers from "./tablet_floor.js";
import * as reader from "./tablet_reader.js";
import * as voting from "./tablet_voting.js";
import { block, t } from "./ui.js";

const body = document.body;

function onRefused(code) {
  if (code === 4401) {
    location.assign(body.dataset.signinUrl);
  } else if (code === 4404) {
    // The sitting is gone: the page finds the delegate's current one.
    block(t("closed.4404"));
    setTimeout(() => location.reload(), 30000);
  } else {
    block(t(`closed.${code}`));
  }
}

createScreen({
  path: body.dataset.wsPath,
  onRefused,
  state: { me: null },
})
  .install({ sitting, agenda, floor, speakers, voting, reader })
  .start();

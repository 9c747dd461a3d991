// The delegate's tablet: the agenda with the current item, attendance and check-in, the
// ballot while a vote is open, and the session's documents (tablet_reader.js).
import { ChamberClient } from "./client.js";
import { agendaItemContent, isLive, renderSession, renderSummary } from "./sitting.js";
import { block, el, setText, t, toast } from "./ui.js";
import { setupTabletReader } from "./tablet_reader.js";
import { setupTabletVoting } from "./tablet_voting.js";

const body = document.body;
const state = { session: null, agenda: [], me: null, attendance: null };
let voting = null;
let reader = null;

function currentItem() {
  const id = state.session?.current_item_id;
  return state.agenda.find((item) => item.id === id) ?? null;
}

function renderAgenda() {
  const list = document.getElementById("agenda");
  list.replaceChildren(
    ...state.agenda.map((item) =>
      el(
        "li",
        {
          className: `agenda-item depth-${Math.min(item.depth, 4)}`,
          dataset: { itemId: item.id, depth: item.depth },
          style: { "--depth": item.depth },
        },
        ...agendaItemContent(item),
      ),
    ),
  );
  if (!state.agenda.length) list.append(el("li", { className: "agenda-empty muted" }, t("agenda.empty")));
  renderCurrent(true);
}

let scrolledTo = null;
function renderCurrent(jump = false) {
  const current = currentItem();
  const id = current ? String(current.id) : "";
  body.dataset.currentItemId = id;
  // Bring the current item into view when it changes, not while the delegate reads on.
  const scroll = jump || id !== scrolledTo;
  scrolledTo = id;
  for (const row of document.querySelectorAll("#agenda .agenda-item")) {
    const on = row.dataset.itemId === id;
    row.classList.toggle("current", on);
    if (on) row.setAttribute("aria-current", "step");
    else row.removeAttribute("aria-current");
    if (on && scroll) row.scrollIntoView({ block: "center", behavior: jump ? "auto" : "smooth" });
  }
  setText("now-number", current ? current.number : "");
  setText("now-title", current ? current.title : t("agenda.none"));
  setText("now-presenter", current?.presenter ? t("agenda.presenter", { name: current.presenter }) : "");
}

function renderMe() {
  const status = state.me?.attendance ?? "";
  const label = t(`attendance.${status || "none"}`);
  for (const id of ["me-attendance", "my-status"]) {
    const chip = document.getElementById(id);
    chip.dataset.status = status;
    chip.textContent = label;
  }
  body.dataset.attendance = status;
  const checkIn = document.getElementById("check-in");
  checkIn.hidden = status === "present" || !isLive(state.session) || state.session.status === "closed";
  voting?.render();
}

function renderNotice() {
  const notice = document.getElementById("session-notice");
  const status = state.session?.status;
  const text =
    status === "closed"
      ? t("session.closed")
      : status === "adjourned"
        ? t("session.adjourned")
        : status === "in_progress"
          ? ""
          : t("session.not_started");
  notice.textContent = text;
  notice.hidden = !text;
  notice.dataset.status = status ?? "";
}

let reloadTimer = null;
function sessionChanged(session) {
  state.session = session;
  renderSession(session);
  renderNotice();
  renderCurrent();
  renderMe();
  reader?.renderLibrary();
  if (session.status === "closed" && reloadTimer === null) {
    // The next sitting (or the "no session" page) comes with a fresh page.
    reloadTimer = setTimeout(() => location.reload(), 60000);
  }
}

const client = new ChamberClient({
  path: body.dataset.wsPath,
  onSnapshot(data) {
    state.agenda = data.agenda;
    state.me = data.me;
    setText("council-name", data.council.name);
    setText("me-name", data.me.full_name);
    renderAgenda();
    sessionChanged(data.session);
    renderSummary(data.attendance);
    voting.load(data.polls);
    reader.load(data);
  },
  handlers: {
    "session.changed": (data) => sessionChanged(data),
    "agenda.current": (data) => {
      state.session = { ...state.session, current_item_id: data.current_item_id };
      renderCurrent();
      reader.renderLibrary();
      // Reading a document, the delegate does not see the agenda: say that the room moved on.
      const item = state.agenda.find((candidate) => candidate.id === data.current_item_id);
      if (item && body.dataset.view !== "agenda") {
        toast(t("agenda.moved", { item: `${item.number}. ${item.title}` }), { kind: "info", timeout: 10000 });
      }
    },
    "attendance.summary": (data) => renderSummary(data),
    "attendance.mine": (data) => {
      state.me = { ...state.me, attendance: data.status };
      renderMe();
    },
    "badge.revoked": () => block(t("badge.revoked")),
    // Someone signed in with this delegate's badge on another device: say so, and stay.
    "badge.second_device": (data) => {
      let chip = document.getElementById("second-device");
      if (!chip) {
        chip = document.createElement("span");
        chip.id = "second-device";
        chip.className = "chip flag-text";
        chip.setAttribute("role", "status");
        document.getElementById("my-status").after(chip);
      }
      chip.textContent = t("badge.second_device");
      chip.title = data.message;
      body.dataset.secondDevice = "true";
    },
  },
  onRefused(code) {
    if (code === 4401) {
      location.assign(body.dataset.signinUrl);
    } else if (code === 4404) {
      // The sitting is gone: the page finds the delegate's current one.
      block(t("closed.4404"));
      setTimeout(() => location.reload(), 30000);
    } else {
      block(t(`closed.${code}`));
    }
  },
});

async function checkIn(button) {
  button.disabled = true;
  try {
    const result = await client.command("attendance.check_in");
    state.me = { ...state.me, attendance: result.status };
    renderMe();
    toast(t("checkin.done"), { kind: "ok" });
  } catch {
    // the toast shows the server's message
  } finally {
    button.disabled = false;
  }
}
document.getElementById("check-in").addEventListener("click", (event) => checkIn(event.currentTarget));

voting = setupTabletVoting({
  client,
  state,
  delegateId: body.dataset.delegateId,
  checkIn,
  ballotUrl: body.dataset.ballotUrl,
});
Object.assign(client.handlers, voting.handlers);
reader = setupTabletReader({ client, state, delegateId: body.dataset.delegateId, sessionId: body.dataset.sessionId });
Object.assign(client.handlers, reader.handlers);

// For the browser tests and for looking around in the developer tools.
window.chamber = { client, state, voting, reader };
client.start();

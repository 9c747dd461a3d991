// The tablet's agenda view: the agenda with the current item, what the session's status means
// for the delegate, their attendance and check-in, and the badge's notices (revoked, signed in
// on a second device). The title line and the attendance numbers: sitting.js.
import { isLive, renderAgendaList } from "./sitting.js";
import { block, setText, t, toast } from "./ui.js";

/** Tells the other features: "session" (status or current item), "me" (my attendance). */
export function install(screen) {
  const { state } = screen;
  const body = document.body;

  function currentItem() {
    const id = state.session?.current_item_id;
    return state.agenda.find((item) => item.id === id) ?? null;
  }

  function renderAgenda() {
    renderAgendaList(state.agenda, { className: (item) => `agenda-item depth-${Math.min(item.depth, 4)}` });
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
    screen.changed("me");
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
  function sessionChanged() {
    const { session } = state;
    renderNotice();
    renderCurrent();
    renderMe();
    screen.changed("session");
    if (session.status === "closed" && reloadTimer === null) {
      // The next sitting (or the "no session" page) comes with a fresh page.
      reloadTimer = setTimeout(() => location.reload(), 60000);
    }
  }

  async function checkIn(button) {
    button.disabled = true;
    try {
      const result = await screen.client.command("attendance.check_in");
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

  screen.snapshot((data) => {
    state.me = data.me;
    setText("me-name", data.me.full_name);
    renderAgenda();
    sessionChanged();
  });
  screen.on("session.changed", sessionChanged);
  screen.on("agenda.current", (data) => {
    renderCurrent();
    screen.changed("session");
    // Reading a document, the delegate does not see the agenda: say that the room moved on.
    const item = state.agenda.find((candidate) => candidate.id === data.current_item_id);
    if (item && body.dataset.view !== "agenda") {
      toast(t("agenda.moved", { item: `${item.number}. ${item.title}` }), { kind: "info", timeout: 10000 });
    }
  });
  screen.on("attendance.mine", (data) => {
    state.me = { ...state.me, attendance: data.status };
    renderMe();
  });
  screen.on("badge.revoked", () => block(t("badge.revoked")));
  // Someone signed in with this delegate's badge on another device: say so, and stay.
  screen.on("badge.second_device", (data) => {
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
  });

  return { checkIn };
}

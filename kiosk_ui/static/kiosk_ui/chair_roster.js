// The console's roster: every delegate's attendance (marked here, or by the tablet's check-in)
// and whether their tablet is connected; a present delegate whose tablet is lost, and a badge
// signed in on a second device, are flagged above the roster. An absence asks for its reason.
import { ask, el, onConfirm, setText, t } from "./ui.js";

/** Tells the other features "roster": a delegate's attendance or connection changed. */
export function install(screen) {
  const { client, state } = screen;
  const body = document.body;
  state.roster = new Map();

  const markTemplate = document.getElementById("mark-buttons");

  function rosterRow(delegate) {
    const marks = markTemplate.content.firstElementChild.cloneNode(true);
    return el(
      "tr",
      { dataset: { delegateId: delegate.id } },
      el("td", { className: "col-seat" }, delegate.seat || "–"),
      el(
        "td",
        {},
        el("div", { className: "roster-name" }, delegate.full_name),
        delegate.title ? el("div", { className: "roster-title muted small" }, delegate.title) : null,
      ),
      el("td", {}, el("span", { className: "chip attendance-chip" })),
      el("td", {}, el("span", { className: "presence" }, el("span", { className: "presence-dot" }), el("span", { className: "presence-label" }))),
      el("td", { className: "col-actions" }, marks),
    );
  }

  function updateRow(row, delegate) {
    const status = delegate.status ?? "";
    row.dataset.status = status;
    row.dataset.connected = delegate.connected ? "true" : "false";
    // Marked present at the console: no tablet is expected, so its absence is no alarm.
    const lost = status === "present" && !delegate.connected && !delegate.by_staff;
    row.dataset.byStaff = delegate.by_staff ? "true" : "false";
    row.classList.toggle("flag-lost", lost);
    const chip = row.querySelector(".attendance-chip");
    chip.dataset.status = status;
    chip.textContent = t(`attendance.${status || "none"}`);
    const presence = row.querySelector(".presence");
    const presenceState = delegate.connected
      ? "online"
      : lost
        ? "lost"
        : status === "present" && delegate.by_staff
          ? "by_staff"
          : "offline";
    presence.dataset.state = presenceState;
    presence.querySelector(".presence-label").textContent = t(`presence.${presenceState}`);
    presence.title = t(`presence.${presenceState}`);
    for (const button of row.querySelectorAll(".seg-btn")) {
      const on = button.dataset.status === status;
      button.classList.toggle("active", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
  }

  function renderRoster() {
    const tbody = document.querySelector("#roster tbody");
    const rows = [];
    for (const delegate of state.roster.values()) {
      const row = rosterRow(delegate);
      updateRow(row, delegate);
      rows.push(row);
    }
    tbody.replaceChildren(...rows);
    renderFlags();
  }

  function updateDelegate(id, change) {
    const delegate = state.roster.get(id);
    if (!delegate) {
      client.resync(); // a delegate we do not know yet: take the roster again
      return;
    }
    Object.assign(delegate, change);
    const row = document.querySelector(`#roster tr[data-delegate-id="${id}"]`);
    if (row) updateRow(row, delegate);
    renderFlags();
    screen.changed("roster");
  }

  // A badge that signed in on a second device while a tablet of that delegate was connected
  // (issue 10 item 13): flagged on the roster, without covering the console's controls.
  const secondDevices = new Map();

  function flagSecondDevice(data) {
    secondDevices.set(data.delegate_id, data);
    const row = document.querySelector(`#roster tr[data-delegate-id="${data.delegate_id}"]`);
    if (row) {
      row.dataset.secondDevice = "true";
      row.title = data.message;
    }
    renderFlags();
  }

  function renderFlags() {
    const lost = [...state.roster.values()].filter((d) => d.status === "present" && !d.connected && !d.by_staff).length;
    const line = document.getElementById("roster-flags");
    const parts = lost ? [`${t("presence.lost")}: ${lost}`] : [];
    if (secondDevices.size) {
      const names = [...secondDevices.values()].map((d) => d.full_name).join(", ");
      parts.push(`${t("badge.second_device")}: ${names}`);
    }
    line.textContent = parts.join(" · ");
    line.title = [...secondDevices.values()].map((d) => d.message).join("\n");
    line.classList.toggle("flag-text", parts.length > 0);
    body.dataset.lostTablets = String(lost);
    body.dataset.secondDevices = String(secondDevices.size);
  }

  document.querySelector("#roster tbody").addEventListener("click", (event) => {
    const button = event.target.closest(".seg-btn");
    if (!button || button.disabled) return;
    const row = button.closest("tr");
    const delegateId = Number(row.dataset.delegateId);
    const status = button.dataset.status;
    if (state.roster.get(delegateId)?.status === status) return;
    if (status === "excused" || status === "left") {
      // An absence with its reason, for the minutes.
      reasonTarget = { delegate_id: delegateId, status };
      setText("reason-title", `${state.roster.get(delegateId)?.full_name ?? ""}: ${t(`attendance.${status}`)}`);
      document.getElementById("reason-text").value = "";
      ask(reasonDialog);
      return;
    }
    client.command("attendance.mark", { delegate_id: delegateId, status }).catch(() => {});
  });

  const reasonDialog = document.getElementById("reason-dialog");
  let reasonTarget = null;
  onConfirm(reasonDialog, () => {
    if (!reasonTarget) return;
    const reason = document.getElementById("reason-text").value.trim();
    client.command("attendance.mark", { ...reasonTarget, reason }).catch(() => {});
    reasonTarget = null;
  });

  /** Nothing to mark once the sitting is closed. */
  function renderMarks() {
    const closed = state.session?.status === "closed";
    for (const button of document.querySelectorAll("#roster .seg-btn")) button.disabled = closed;
  }

  screen.snapshot((data) => {
    state.roster = new Map(data.roster.map((d) => [d.id, { ...d }]));
    renderRoster();
    renderMarks();
  });
  // A notice, for the roster; the count comes with attendance.summary, in seq order.
  screen.on("attendance.changed", (data) =>
    updateDelegate(data.delegate_id, { status: data.status, by_staff: Boolean(data.by_staff) }),
  );
  screen.on("roster.presence", (data) => updateDelegate(data.delegate_id, { connected: data.connected }));
  screen.on("badge.second_device", (data) => flagSecondDevice(data));
  screen.watch("session", renderMarks);
}

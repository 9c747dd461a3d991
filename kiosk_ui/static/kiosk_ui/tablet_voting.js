// The tablet's ballot: shown over the agenda while a poll is open, with a confirmation step
// before anything is sent; the receipt is kept on this tablet; the result once published.
//
// A ballot's command id makes its receipt (docs/protocol.md): one id per ballot, kept in
// localStorage until the server answers, so a ballot sent again (after a reconnect, a timeout,
// a reload) is the same ballot and counts once. While the poll is open the id is kept with the
// receipt: it is the proof that changes a secret ballot (the receipt, on screen, is not).
// A secret ballot's choice is shown from memory only, until the poll closes; nothing of any
// ballot stays on the tablet after sign-out (forgetBallots, also run by the sign-in page;
// tablet_storage.js).
import { CommandError, commandId } from "./client.js";
import { forgetBallots, readJSON, writeJSON } from "./tablet_storage.js";
import { el, setText, t, toast } from "./ui.js";
import { everyTick, formatClock } from "./clock.js";
import {
  PollStore,
  choiceLabel,
  choicesOf,
  formatReceipt,
  kindBadge,
  mirror,
  remaining,
  resultChart,
  resultFacts,
  statusChip,
  verdictText,
} from "./voting.js";

// Answers that leave nothing behind on the server: the id may be forgotten.
const UNKNOWN_OUTCOME = new Set(["command.timeout", "command.offline", "connection.closed"]);
// Answers after which the snapshot knows better than this screen.
const STALE = new Set(["ballot.already_cast", "poll.not_open", "poll.not_found", "ballot.previous_unknown"]);

export function setupTabletVoting({ client, state, delegateId, checkIn, ballotUrl = "/tablet/ballot/" }) {
  const store = new PollStore();
  const receiptsKey = `chamber.receipts.${delegateId}`;
  const pendingKey = (pollId) => `chamber.ballot.pending.${delegateId}.${pollId}`;
  // Another delegate's ballots, left by a sign-out that never ran its script: gone.
  forgetBallots(delegateId);
  // The choice of this tablet's secret ballot, by poll: in memory only, until the poll closes.
  const secretChoice = new Map();
  // What this screen is doing with the open poll.
  const ui = { pollId: null, step: "choose", selection: null, changing: null, justCast: null, sending: false, failed: null };
  // Polls the delegate put aside ("Thu nhỏ"), by id and status: a new status shows again.
  const dismissed = new Set();

  const layer = document.getElementById("ballot");

  // -- receipts -----------------------------------------------------------------------------
  function receipts() {
    return readJSON(receiptsKey, {});
  }

  function saveReceipt(poll, receipt, choice, id) {
    const all = receipts();
    all[poll.id] = {
      receipt,
      // The command id: what proves the ballot is this tablet's, to change it; dropped at close.
      id,
      title: poll.title,
      kind: poll.kind,
      at: new Date().toISOString(),
      // A secret ballot's choice is never stored: it is shown from memory until the close.
      ...(poll.kind === "named" ? { choice } : {}),
    };
    writeJSON(receiptsKey, all);
    if (poll.kind === "secret") secretChoice.set(poll.id, choice);
  }

  /** A poll no longer open: forget the proof of the ballot and a secret ballot's choice. */
  function forgetClosed() {
    const all = receipts();
    let changed = false;
    for (const entry of store.list()) {
      if (entry.poll.status === "open") continue;
      secretChoice.delete(entry.poll.id);
      const kept = all[entry.poll.id];
      if (kept && (kept.id !== undefined || (kept.kind === "secret" && "choice" in kept))) {
        delete kept.id;
        if (kept.kind === "secret") delete kept.choice;
        changed = true;
      }
    }
    if (changed) writeJSON(receiptsKey, all);
  }

  function lastReceipt() {
    const entries = Object.entries(receipts());
    if (!entries.length) return null;
    entries.sort((a, b) => String(b[1].at).localeCompare(String(a[1].at)));
    return { pollId: Number(entries[0][0]), ...entries[0][1] };
  }

  // -- sending ------------------------------------------------------------------------------
  /** The ballot's command: the one waiting for an answer if it is the same ballot, else new. */
  function ballotCommand(data) {
    const pending = readJSON(pendingKey(data.poll_id), null);
    if (pending && JSON.stringify(pending.data) === JSON.stringify(data)) return pending;
    const command = { id: commandId(), data };
    writeJSON(pendingKey(data.poll_id), command);
    return command;
  }

  /**
   * The socket is down: the same envelope, with the same id, over HTTP (docs/protocol.md,
   * "HTTP fallback"). The answer is the socket's `ack` or `error`.
   */
  async function postBallot(command) {
    const token =
      document.querySelector("input[name=csrfmiddlewaretoken]")?.value ??
      document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/)?.[1] ??
      "";
    let answer;
    try {
      const response = await fetch(ballotUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ type: "ballot.cast", id: command.id, seq: null, data: command.data }),
      });
      answer = await response.json().catch(() => null);
      if (!answer || (answer.type !== "ack" && answer.type !== "error")) {
        // Not an answer of ours (a proxy's error page): the outcome is unknown, keep the id.
        throw new CommandError("command.offline", t("command.offline"));
      }
    } catch (error) {
      if (error instanceof CommandError) throw error;
      throw new CommandError("command.offline", t("command.offline")); // no network at all
    }
    if (answer.type === "error") {
      throw new CommandError(answer.data?.code, answer.data?.message || answer.data?.code, answer.data?.retryable === true);
    }
    return answer.data;
  }

  function cast(command) {
    if (client.state !== "open") return postBallot(command);
    return client.command("ballot.cast", command.data, { id: command.id, quiet: true });
  }

  async function send(entry, command, { quiet = false } = {}) {
    const { poll } = entry;
    try {
      const result = await cast(command);
      writeJSON(pendingKey(poll.id), null);
      saveReceipt(poll, result.receipt, command.data.choice, command.id);
      entry.myBallot = { cast: true, ...(poll.kind === "named" ? { choice: command.data.choice } : {}) };
      ui.justCast = poll.id;
      ui.failed = null;
      ui.changing = null;
      ui.selection = null;
      ui.step = "choose";
      if (!quiet) toast(t("ballot.recorded"), { kind: "ok" });
      return true;
    } catch (error) {
      // Not recorded (the server failed inside: `retryable`), or no answer at all: keep the
      // command and its id, so "send again" is the same ballot and counts once.
      const again = error.retryable || UNKNOWN_OUTCOME.has(error.code);
      if (!again) writeJSON(pendingKey(poll.id), null);
      if (!quiet) {
        if (again) ui.failed = { pollId: poll.id, unknown: !error.retryable };
        else toast(error.message || String(error));
      }
      if (STALE.has(error.code)) client.resync();
      return false;
    }
  }

  async function confirm() {
    const entry = store.get(ui.pollId);
    if (!entry || ui.sending || ui.selection === null) return;
    const { poll } = entry;
    const data = { poll_id: poll.id, choice: ui.selection };
    if (ui.changing === poll.id && poll.kind === "secret") {
      // The old ballot's command id, which only this tablet holds (never its receipt).
      const previous = receipts()[poll.id]?.id;
      if (previous) data.previous_id = previous;
    }
    ui.sending = true;
    ui.failed = null;
    render();
    // On failure the confirmation stays up: the delegate may send again (the same ballot).
    await send(entry, ballotCommand(data));
    ui.sending = false;
    render();
  }

  /** A ballot the server took but whose answer never came: ask again for its receipt. */
  function recoverReceipts() {
    for (const entry of store.list()) {
      if (!entry.myBallot?.cast || receipts()[entry.poll.id]) continue;
      const pending = readJSON(pendingKey(entry.poll.id), null);
      if (pending) send(entry, pending, { quiet: true }).then(render);
    }
  }

  // -- what to show -------------------------------------------------------------------------
  /** The poll the tablet is about: the open one, else the newest the room has seen. */
  function current() {
    return store.open() ?? store.list().find((entry) => entry.poll.status !== "draft") ?? null;
  }

  function dismissKey(entry) {
    return `${entry.poll.id}:${entry.poll.status}`;
  }

  function overlayStep(entry) {
    if (!entry) return "none";
    const { poll } = entry;
    if (poll.status === "published" && entry.result) return "result";
    if (poll.status !== "open") return "none";
    if (entry.myBallot?.cast && ui.changing !== poll.id) return "cast";
    if (ui.pollId !== poll.id) return "choose";
    return ui.sending ? "sending" : ui.step;
  }

  function renderChoices(entry) {
    const { poll } = entry;
    const yesNo = poll.choice_type === "yes_no_abstain";
    document.getElementById("ballot-choices").hidden = !yesNo;
    document.getElementById("ballot-options").hidden = yesNo;
    if (yesNo) {
      const host = document.getElementById("ballot-choices");
      if (host.dataset.pollId !== String(poll.id)) {
        host.dataset.pollId = String(poll.id);
        host.replaceChildren(
          ...choicesOf(poll).map((choice) =>
            el(
              "button",
              { type: "button", className: "choice-btn", dataset: { choice: choice.id, tone: choice.tone } },
              el("span", { className: "choice-icon", "aria-hidden": "true" }, { yes: "✓", no: "✕", abstain: "○" }[choice.id]),
              el("span", { className: "choice-label" }, choice.label),
            ),
          ),
        );
      }
      setText("ballot-hint", t("ballot.hint_yes_no"));
      return;
    }
    const list = document.getElementById("ballot-options-list");
    const selected = new Set(Array.isArray(ui.selection) ? ui.selection : []);
    if (list.dataset.pollId !== String(poll.id)) {
      list.dataset.pollId = String(poll.id);
      list.replaceChildren(
        ...choicesOf(poll).map((choice) =>
          el(
            "label",
            { className: "option-tile", dataset: { choice: choice.id } },
            el("input", { type: "checkbox", className: "option-check", value: choice.id }),
            el("span", { className: "option-box", "aria-hidden": "true" }),
            el("span", { className: "option-label" }, choice.label),
          ),
        ),
      );
    }
    const { min_selections: min, max_selections: max } = poll;
    for (const input of list.querySelectorAll(".option-check")) {
      input.checked = selected.has(input.value);
      // At the maximum, the others wait (one choice only: a new tick replaces the old one).
      input.disabled = max > 1 && !input.checked && selected.size >= max;
      input.closest(".option-tile").classList.toggle("checked", input.checked);
    }
    const hint =
      min === max
        ? t("ballot.hint_exact", { n: max })
        : min > 0
          ? t("ballot.hint_range", { min, max })
          : t("ballot.hint_max", { max });
    setText("ballot-hint", hint);
    setText("ballot-count", t("ballot.selected", { n: selected.size, max }));
    document.getElementById("ballot-next").disabled = selected.size < min || selected.size > max;
  }

  function renderConfirm(entry) {
    const { poll } = entry;
    const box = document.getElementById("ballot-confirm-choice");
    const choice = ui.selection;
    box.dataset.tone = Array.isArray(choice) ? "option" : choice;
    if (Array.isArray(choice) && choice.length > 1) {
      box.replaceChildren(el("ul", { className: "confirm-list" }, ...choice.map((id) => el("li", {}, choiceLabel(poll, [id])))));
    } else {
      box.textContent = choiceLabel(poll, choice);
    }
    const notes = [poll.kind === "secret" ? t("ballot.note_secret") : t("ballot.note_named")];
    if (!poll.allow_change) notes.push(t("ballot.note_final"));
    setText("ballot-confirm-note", notes.join(" "));
    // The last sending failed: say plainly that the vote is not recorded, offer to send again.
    const failed = !ui.sending && ui.failed?.pollId === poll.id ? ui.failed : null;
    const failure = document.getElementById("ballot-failed");
    failure.hidden = !failed;
    failure.dataset.unknown = failed?.unknown ? "true" : "false";
    if (failed) {
      setText("ballot-failed-title", failed.unknown ? t("ballot.not_confirmed") : t("ballot.not_recorded"));
      setText("ballot-failed-detail", failed.unknown ? t("ballot.not_confirmed_detail") : t("ballot.not_recorded_detail"));
    }
    const sendButton = document.getElementById("ballot-send");
    sendButton.disabled = ui.sending;
    sendButton.textContent = ui.sending ? t("ballot.sending") : failed ? t("ballot.send_again") : t("ballot.confirm");
    document.getElementById("ballot-back").disabled = ui.sending;
  }

  function renderCast(entry) {
    const { poll } = entry;
    const just = ui.justCast === poll.id;
    setText("ballot-done-title", just ? t("ballot.recorded") : t("ballot.already"));
    const mine = receipts()[poll.id];
    const choice = entry.myBallot?.choice ?? (poll.kind === "secret" ? secretChoice.get(poll.id) : mine?.choice);
    setText("ballot-done-choice", choice !== undefined && choice !== null ? t("ballot.your_choice", { choice: choiceLabel(poll, choice) }) : "");
    document.getElementById("ballot-receipt-box").hidden = !mine;
    setText("ballot-receipt", mine ? formatReceipt(mine.receipt) : "");
    document.getElementById("ballot-receipt").dataset.receipt = mine?.receipt ?? "";
    // A secret ballot can be changed only with the command id of the one it replaces.
    document.getElementById("ballot-change").hidden = !poll.allow_change || (poll.kind === "secret" && !mine?.id);
    setText("ballot-hint", "");
  }

  function renderResult(entry) {
    const { poll, result } = entry;
    const box = document.getElementById("ballot-result");
    box.dataset.passed = result.void ? "void" : String(result.passed);
    const verdict = document.getElementById("ballot-verdict");
    verdict.dataset.passed = box.dataset.passed;
    verdict.textContent = verdictText(poll, result);
    document.getElementById("ballot-chart").replaceChildren(resultChart(poll, result));
    document.getElementById("ballot-facts").replaceChildren(resultFacts(poll, result));
    const mine = receipts()[poll.id];
    setText("ballot-hint", mine ? t("ballot.your_receipt", { receipt: formatReceipt(mine.receipt) }) : "");
  }

  function tickClock() {
    const entry = store.get(Number(layer.dataset.pollId));
    const seconds = entry && entry.poll.status === "open" ? remaining(entry) : null;
    const clock = document.getElementById("ballot-clock");
    clock.hidden = seconds === null;
    if (seconds === null) return;
    const countdown = document.getElementById("ballot-countdown");
    countdown.dataset.seconds = String(Math.ceil(seconds));
    countdown.dataset.urgent = seconds <= 10 ? "true" : "false";
    setText("ballot-countdown", seconds > 0 ? formatClock(seconds) : t("poll.time_up"));
  }
  everyTick(tickClock);

  function renderOverlay(entry) {
    const step = overlayStep(entry);
    const visible = step !== "none" && !dismissed.has(dismissKey(entry));
    // A choice stays in the page only while its step is up (a closed poll's, not even hidden).
    if (step !== "cast") setText("ballot-done-choice", "");
    if (step !== "confirm" && step !== "sending") document.getElementById("ballot-confirm-choice").replaceChildren();
    layer.hidden = !visible;
    layer.dataset.state = step;
    document.body.dataset.ballotState = step;
    document.body.classList.toggle("ballot-open", visible);
    if (step === "none") {
      layer.dataset.pollId = "";
      return;
    }
    const { poll } = entry;
    layer.dataset.pollId = String(poll.id);
    layer.dataset.kind = poll.kind;
    document.getElementById("ballot-kind").replaceChildren(kindBadge(poll, "poll-kind-lg"));
    setText("ballot-title", poll.title);
    const present = state.me?.attendance === "present";
    document.getElementById("ballot-not-present").hidden = present || !["choose", "confirm"].includes(step);
    const steps = {
      "ballot-choose": step === "choose",
      "ballot-confirm": step === "confirm" || step === "sending",
      "ballot-done": step === "cast",
      "ballot-result": step === "result",
    };
    for (const [id, on] of Object.entries(steps)) document.getElementById(id).hidden = !on;
    if (step === "choose") renderChoices(entry);
    else if (step === "confirm" || step === "sending") {
      setText("ballot-hint", "");
      renderConfirm(entry);
    } else if (step === "cast") renderCast(entry);
    else if (step === "result") renderResult(entry);
    setText(
      "ballot-progress",
      poll.status === "open" ? t("poll.progress", { voted: entry.voted, entitled: entry.entitled }) : "",
    );
    document.getElementById("ballot-hide").textContent = step === "result" || step === "cast" ? t("ballot.close") : t("ballot.later");
    tickClock();
  }

  function renderCard(entry) {
    const card = document.getElementById("poll-card");
    const last = lastReceipt();
    card.hidden = !entry && !last;
    const lastLine = document.getElementById("last-receipt");
    lastLine.hidden = !last;
    if (last) {
      setText("last-receipt-code", formatReceipt(last.receipt));
      document.getElementById("last-receipt-code").dataset.receipt = last.receipt;
      setText("last-receipt-title", last.title);
    }
    const parts = ["poll-card-status", "poll-card-kind", "poll-card-title", "poll-card-mine"];
    if (!entry) {
      card.dataset.status = "";
      for (const id of parts) document.getElementById(id).replaceChildren();
      document.getElementById("poll-card-result").hidden = true;
      document.getElementById("poll-card-open").hidden = true;
      document.getElementById("poll-card-show").hidden = true;
      return;
    }
    const { poll } = entry;
    card.dataset.status = poll.status;
    card.dataset.pollId = String(poll.id);
    document.getElementById("poll-card-status").replaceChildren(statusChip(poll.status));
    document.getElementById("poll-card-kind").replaceChildren(kindBadge(poll));
    setText("poll-card-title", poll.title);
    const cast = entry.myBallot?.cast;
    const mine = {
      open: cast ? t("ballot.already") : t("ballot.not_yet"),
      closed: t("poll.waiting"),
      published: "",
      cancelled: poll.cancel_reason ? t("poll.cancel_reason", { reason: poll.cancel_reason }) : "",
    }[poll.status];
    setText("poll-card-mine", mine ?? "");
    document.getElementById("poll-card-mine").dataset.cast = cast ? "true" : "false";
    const result = document.getElementById("poll-card-result");
    result.hidden = !(poll.status === "published" && entry.result);
    if (!result.hidden) {
      const verdict = el("span", { className: "verdict verdict-sm", dataset: { passed: entry.result.void ? "void" : String(entry.result.passed) } }, verdictText(poll, entry.result));
      const counts = choicesOf(poll).map((choice) =>
        el("li", { dataset: { choice: choice.id } }, el("span", {}, choice.label), el("strong", {}, String(entry.result.counts[choice.id] ?? 0))),
      );
      result.replaceChildren(verdict, el("ul", { className: "mini-counts" }, ...counts));
    }
    const overlayHidden = layer.hidden;
    document.getElementById("poll-card-open").hidden = !(overlayHidden && poll.status === "open" && !cast);
    document.getElementById("poll-card-show").hidden = !(overlayHidden && ((poll.status === "open" && cast) || (poll.status === "published" && entry.result)));
  }

  function render() {
    forgetClosed();
    const entry = current();
    if (ui.pollId !== null && ui.pollId !== entry?.poll.id) {
      ui.pollId = null;
      ui.selection = null;
      ui.step = "choose";
    }
    mirror(entry);
    renderOverlay(entry);
    renderCard(entry);
  }

  // -- input --------------------------------------------------------------------------------
  function begin(entry) {
    if (ui.pollId !== entry.poll.id) {
      ui.pollId = entry.poll.id;
      ui.selection = null;
      ui.step = "choose";
    }
  }

  document.getElementById("ballot-choices").addEventListener("click", (event) => {
    const button = event.target.closest(".choice-btn");
    const entry = store.open();
    if (!button || !entry) return;
    begin(entry);
    ui.selection = button.dataset.choice;
    ui.step = "confirm";
    render();
  });

  document.getElementById("ballot-options-list").addEventListener("change", (event) => {
    const input = event.target.closest(".option-check");
    const entry = store.open();
    if (!input || !entry) return;
    begin(entry);
    const order = choicesOf(entry.poll).map((choice) => choice.id);
    let selected = new Set(Array.isArray(ui.selection) ? ui.selection : []);
    if (input.checked) {
      if (entry.poll.max_selections === 1) selected = new Set();
      if (selected.size < entry.poll.max_selections) selected.add(input.value);
    } else {
      selected.delete(input.value);
    }
    ui.selection = order.filter((id) => selected.has(id));
    render();
  });

  document.getElementById("ballot-next").addEventListener("click", () => {
    const entry = store.open();
    if (!entry) return;
    begin(entry);
    if (!Array.isArray(ui.selection)) ui.selection = [];
    ui.step = "confirm";
    render();
  });

  document.getElementById("ballot-back").addEventListener("click", () => {
    ui.step = "choose";
    ui.failed = null;
    render();
  });

  document.getElementById("ballot-send").addEventListener("click", confirm);

  document.getElementById("ballot-change").addEventListener("click", () => {
    const entry = store.open();
    if (!entry) return;
    ui.pollId = entry.poll.id;
    ui.changing = entry.poll.id;
    ui.selection = null;
    ui.step = "choose";
    render();
  });

  document.getElementById("ballot-hide").addEventListener("click", () => {
    const entry = current();
    if (entry) dismissed.add(dismissKey(entry));
    if (ui.changing === entry?.poll.id) ui.changing = null;
    render();
  });

  for (const id of ["poll-card-open", "poll-card-show"]) {
    document.getElementById(id).addEventListener("click", () => {
      const entry = current();
      if (entry) dismissed.delete(dismissKey(entry));
      render();
    });
  }

  document.getElementById("ballot-check-in").addEventListener("click", (event) => checkIn(event.currentTarget));
  // Signing out leaves nothing of any ballot on the tablet.
  for (const form of document.querySelectorAll('form[action$="/signout/"]')) {
    form.addEventListener("submit", () => forgetBallots());
  }

  // -- events -------------------------------------------------------------------------------
  function event(apply) {
    return (data) => {
      apply(data);
      render();
    };
  }

  return {
    store,
    render,
    load(polls) {
      store.load(polls);
      render();
      recoverReceipts();
    },
    handlers: {
      "poll.opened": event((data) => store.opened(data)),
      "poll.progress": event((data) => store.progress(data)),
      "poll.closed": event((data) => {
        const entry = store.get(data.poll.id);
        const choosing = ui.pollId === data.poll.id && !entry?.myBallot?.cast;
        store.closed(data);
        if (choosing) toast(t("ballot.closed_before"), { kind: "error" });
      }),
      "poll.published": event((data) => store.published(data)),
      "poll.cancelled": event((data) => {
        store.cancelled(data);
        toast(t("poll.cancelled_toast", { reason: data.poll.cancel_reason ?? "" }), { kind: "error" });
      }),
    },
  };
}

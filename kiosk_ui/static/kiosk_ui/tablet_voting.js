// The tablet's ballot: shown over the agenda while a poll is open, with a confirmation step
// before anything is sent; the receipt is kept on this tablet (tablet_ballots.js); the result
// once published. This module decides what the ballot shows and takes the delegate's input;
// tablet_ballot_view.js draws each step.
import { everyTick, formatClock } from "./clock.js";
import { ballotBook, postBallot } from "./tablet_ballots.js";
import { renderCard, renderCast, renderChoices, renderConfirm, renderResult } from "./tablet_ballot_view.js";
import { forgetBallots } from "./tablet_storage.js";
import { setText, t, toast } from "./ui.js";
import { PollStore, choicesOf, kindBadge, mirror, remaining } from "./voting.js";

// Answers that leave nothing behind on the server: the id may be forgotten.
const UNKNOWN_OUTCOME = new Set(["command.timeout", "command.offline", "connection.closed"]);
// Answers after which the snapshot knows better than this screen.
const STALE = new Set(["ballot.already_cast", "poll.not_open", "poll.not_found", "ballot.previous_unknown"]);

export function install(screen) {
  const { client, state } = screen;
  const { checkIn } = screen.features.agenda;
  const ballotUrl = document.body.dataset.ballotUrl || "/tablet/ballot/";
  const store = new PollStore();
  const book = ballotBook(document.body.dataset.delegateId);
  // What this screen is doing with the open poll.
  const ui = { pollId: null, step: "choose", selection: null, changing: null, justCast: null, sending: false, failed: null };
  // Polls the delegate put aside ("Thu nhỏ"), by id and status: a new status shows again.
  const dismissed = new Set();

  const layer = document.getElementById("ballot");

  // -- sending ------------------------------------------------------------------------------
  function cast(command) {
    if (client.state !== "open") return postBallot(ballotUrl, command);
    return client.command("ballot.cast", command.data, { id: command.id, quiet: true });
  }

  async function send(entry, command, { quiet = false } = {}) {
    const { poll } = entry;
    try {
      const result = await cast(command);
      book.settle(poll.id);
      book.saveReceipt(poll, result.receipt, command.data.choice, command.id);
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
      if (!again) book.settle(poll.id);
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
      const previous = book.receipts()[poll.id]?.id;
      if (previous) data.previous_id = previous;
    }
    ui.sending = true;
    ui.failed = null;
    render();
    // On failure the confirmation stays up: the delegate may send again (the same ballot).
    await send(entry, book.ballotCommand(data));
    ui.sending = false;
    render();
  }

  /** A ballot the server took but whose answer never came: ask again for its receipt. */
  function recoverReceipts() {
    for (const entry of store.list()) {
      if (!entry.myBallot?.cast || book.receipts()[entry.poll.id]) continue;
      const pending = book.pending(entry.poll.id);
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
    if (step === "choose") renderChoices(entry, ui);
    else if (step === "confirm" || step === "sending") {
      setText("ballot-hint", "");
      renderConfirm(entry, ui);
    } else if (step === "cast") renderCast(entry, ui, book);
    else if (step === "result") renderResult(entry, book);
    setText(
      "ballot-progress",
      poll.status === "open" ? t("poll.progress", { voted: entry.voted, entitled: entry.entitled }) : "",
    );
    document.getElementById("ballot-hide").textContent = step === "result" || step === "cast" ? t("ballot.close") : t("ballot.later");
    tickClock();
  }

  function render() {
    book.forgetClosed(store.list());
    const entry = current();
    if (ui.pollId !== null && ui.pollId !== entry?.poll.id) {
      ui.pollId = null;
      ui.selection = null;
      ui.step = "choose";
    }
    mirror(entry);
    renderOverlay(entry);
    renderCard(entry, book, layer.hidden);
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

  // -- the socket ---------------------------------------------------------------------------
  function on(type, apply) {
    screen.on(type, (data) => {
      apply(data);
      render();
    });
  }

  screen.snapshot((data) => {
    store.load(data.polls);
    render();
    recoverReceipts();
  });
  on("poll.opened", (data) => store.opened(data));
  on("poll.progress", (data) => store.progress(data));
  on("poll.closed", (data) => {
    const entry = store.get(data.poll.id);
    const choosing = ui.pollId === data.poll.id && !entry?.myBallot?.cast;
    store.closed(data);
    if (choosing) toast(t("ballot.closed_before"), { kind: "error" });
  });
  on("poll.published", (data) => store.published(data));
  on("poll.cancelled", (data) => {
    store.cancelled(data);
    toast(t("poll.cancelled_toast", { reason: data.poll.cancel_reason ?? "" }), { kind: "error" });
  });
  // Whether the delegate is present decides what the ballot offers.
  screen.watch("me", render);

  return { store, render };
}

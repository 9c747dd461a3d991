// The projector's vote panel: progress and countdown while open, "waiting for publication"
// after close, then a large bar chart with the verdict. Read from the back of the room.
import { el, setText, t } from "./ui.js";
import { everyTick, formatClock } from "./clock.js";
import {
  PollStore,
  choicesOf,
  kindBadge,
  mirror,
  percent,
  remaining,
  resultChart,
  resultFacts,
  verdictText,
} from "./voting.js";

const VIEWS = { open: "poll-open", closed: "poll-closed", published: "poll-result", cancelled: "poll-cancelled" };
let shown = null;

function show(id, on) {
  const element = document.getElementById(id);
  if (element.hidden === on) element.hidden = !on;
}

function renderProgress(entry) {
  const { voted, entitled } = entry;
  const box = document.getElementById("poll-progress");
  box.dataset.voted = String(voted);
  box.dataset.entitled = String(entitled);
  setText("poll-voted", voted);
  setText("poll-entitled", entitled);
  const share = entitled ? Math.min(100, (100 * voted) / entitled) : 0;
  document.getElementById("poll-meter").style.width = `${share}%`;
  const partial = document.getElementById("poll-partial");
  partial.hidden = !(entry.poll.show_partial && entry.partial);
  if (!partial.hidden) {
    partial.replaceChildren(
      el("div", { className: "proj-poll-caption" }, t("poll.partial")),
      ...choicesOf(entry.poll).map((choice) =>
        el(
          "div",
          { className: "partial-item", dataset: { choice: choice.id, tone: choice.tone } },
          el("span", { className: "partial-label" }, choice.label),
          el("span", { className: "partial-count" }, String(entry.partial[choice.id] ?? 0)),
        ),
      ),
    );
  }
  mirror(entry);
}

function tickClock() {
  if (!shown || shown.poll.status !== "open") return;
  const seconds = remaining(shown);
  const clock = document.getElementById("poll-clock");
  clock.hidden = seconds === null;
  if (seconds === null) return;
  const countdown = document.getElementById("poll-countdown");
  countdown.dataset.seconds = String(Math.ceil(seconds));
  countdown.dataset.urgent = seconds <= 10 ? "true" : "false";
  setText("poll-countdown", seconds > 0 ? formatClock(seconds) : t("poll.time_up"));
}
everyTick(tickClock);

function renderResult(entry) {
  const { poll, result } = entry;
  const box = document.getElementById("poll-result");
  box.dataset.passed = result.void ? "void" : String(result.passed);
  box.dataset.options = String(choicesOf(poll).length);
  box.style.setProperty("--rows", String(choicesOf(poll).length));
  document.getElementById("poll-chart").replaceChildren(resultChart(poll, result, { id: "poll-bars" }));
  const verdict = document.getElementById("poll-verdict");
  verdict.dataset.passed = result.void ? "void" : String(result.passed);
  const lines = [
    el("span", { className: "verdict-text" }, verdictText(poll, result)),
    poll.choice_type === "yes_no_abstain" && !result.void
      ? el(
          "span",
          { className: "verdict-sub" },
          t("result.yes_of_base", { yes: result.counts.yes ?? 0, base: result.base, percent: percent(result.counts.yes ?? 0, result.base) }),
        )
      : null,
    result.decided_by_casting_vote ? el("span", { className: "verdict-sub" }, t("result.casting_vote")) : null,
  ];
  verdict.replaceChildren(...lines.filter(Boolean));
  document.getElementById("poll-facts").replaceChildren(resultFacts(poll, result));
  setText("poll-digest", result.digest ? `${t("result.digest")}: ${result.digest.slice(0, 16)}` : "");
}

/** Show `entry` (the poll the room should see), or the agenda when there is none. */
function renderPoll(entry, agenda) {
  shown = entry;
  const main = document.getElementById("proj-main");
  const panel = document.getElementById("poll-panel");
  mirror(entry);
  if (!entry) {
    main.dataset.view = "agenda";
    panel.hidden = true;
    panel.dataset.status = "";
    return;
  }
  const { poll } = entry;
  const status = poll.status === "published" && !entry.result ? "closed" : poll.status;
  main.dataset.view = "poll";
  panel.hidden = false;
  panel.dataset.status = status;
  panel.dataset.pollId = String(poll.id);
  panel.dataset.kind = poll.kind;
  setText("poll-label", status === "published" ? t("poll.result_title") : t("poll.label"));
  document.getElementById("poll-kind").replaceChildren(kindBadge(poll, "poll-kind-xl"));
  const item = agenda.find((candidate) => candidate.id === poll.agenda_item_id);
  setText("poll-item", item ? `${t("poll.item")} ${item.number}` : "");
  setText("poll-title", poll.title);
  for (const [name, id] of Object.entries(VIEWS)) show(id, name === status);
  if (status === "open") {
    renderProgress(entry);
    tickClock();
  } else if (status === "closed") {
    const ballots = entry.ballots ?? entry.voted;
    setText("poll-ballots", t("poll.ballots_received", { n: ballots }));
  } else if (status === "published") {
    renderResult(entry);
  } else if (status === "cancelled") {
    setText("poll-cancel-reason", poll.cancel_reason ? t("poll.cancel_reason", { reason: poll.cancel_reason }) : "");
  }
}

/** The room's votes: state.polls follows the poll events; the panel shows the room's poll. */
export function install(screen) {
  const { state } = screen;
  state.polls = new PollStore();
  screen.snapshot((data) => state.polls.load(data.polls));
  screen.on("poll.opened", (data) => state.polls.opened(data));
  screen.on("poll.progress", (data) => state.polls.progress(data));
  screen.on("poll.closed", (data) => state.polls.closed(data));
  screen.on("poll.published", (data) => state.polls.published(data));
  screen.on("poll.cancelled", (data) => state.polls.cancelled(data));
  screen.watch("room", () => renderPoll(state.room.view === "poll" ? state.room.poll : null, state.agenda));
}

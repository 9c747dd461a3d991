// Electronic votes, shared by the tablet, the console and the projector.
//
// A PollStore keeps what the screen knows of each poll: the `polls` part of a snapshot, then
// the poll.* events and notices of docs/protocol.md applied on top. Countdowns run locally
// from `remaining_seconds`, counted from the moment the payload arrived (clock.js).
import { deadlineIn, secondsLeft } from "./clock.js";
import { el, t } from "./ui.js";

const YES_NO_ABSTAIN = ["yes", "no", "abstain"];

function deadlineOf(poll) {
  return poll.status === "open" ? deadlineIn(poll.remaining_seconds) : null;
}

export class PollStore {
  constructor() {
    this.polls = new Map();
  }

  /** The `polls` list of a snapshot: the new truth. */
  load(items = []) {
    this.polls = new Map();
    for (const item of items) {
      this.polls.set(item.poll.id, {
        poll: item.poll,
        voted: item.voted ?? 0,
        entitled: item.entitled ?? 0,
        partial: item.partial ?? null,
        result: item.result ?? null,
        myBallot: item.my_ballot ?? null,
        votedIds: new Set(item.voted_delegate_ids ?? []),
        ballots: null,
        deadline: deadlineOf(item.poll),
      });
    }
  }

  /** A poll payload from an event: the new state of that poll. */
  update(poll) {
    let entry = this.polls.get(poll.id);
    if (!entry) {
      entry = {
        poll,
        voted: 0,
        entitled: 0,
        partial: null,
        result: null,
        myBallot: null,
        votedIds: new Set(),
        ballots: null,
        deadline: null,
      };
      this.polls.set(poll.id, entry);
    }
    entry.poll = poll;
    entry.deadline = deadlineOf(poll);
    return entry;
  }

  /** Console notice: a new draft. A poll already known is newer than its draft: kept. */
  created({ poll }) {
    return this.polls.get(poll.id) ?? this.update(poll);
  }

  opened({ poll, progress }) {
    const entry = this.update(poll);
    if (progress) this.progress(progress);
    return entry;
  }

  /** Counts only grow: an older, coalesced event never takes a count back. */
  progress({ poll_id, voted, entitled, partial }) {
    const entry = this.polls.get(poll_id);
    if (!entry) return null;
    // Notices read in concurrent transactions may arrive out of order: only a newer count
    // brings its partial results.
    if (partial && (voted ?? 0) >= entry.voted) entry.partial = partial;
    entry.voted = Math.max(entry.voted, voted ?? 0);
    if (entitled !== undefined) entry.entitled = entitled;
    return entry;
  }

  closed({ poll, ballots }) {
    const entry = this.update(poll);
    entry.ballots = ballots ?? null;
    if (typeof ballots === "number") entry.voted = Math.max(entry.voted, ballots);
    return entry;
  }

  published({ poll, result }) {
    const entry = this.update(poll);
    entry.result = result;
    return entry;
  }

  cancelled({ poll }) {
    return this.update(poll);
  }

  /** Console notice: the result at close, before the room sees it. */
  result({ poll_id, result }) {
    const entry = this.polls.get(poll_id);
    if (entry) entry.result = result;
    return entry;
  }

  /** Console notice: who has voted in a named poll (only ever grows). */
  voters({ poll_id, voted }) {
    const entry = this.polls.get(poll_id);
    if (!entry) return null;
    for (const id of voted ?? []) entry.votedIds.add(id);
    entry.voted = Math.max(entry.voted, entry.votedIds.size);
    return entry;
  }

  get(id) {
    return this.polls.get(id) ?? null;
  }

  /** Newest first. */
  list() {
    return [...this.polls.values()].sort((a, b) => b.poll.id - a.poll.id);
  }

  open() {
    return this.list().find((entry) => entry.poll.status === "open") ?? null;
  }

  /**
   * The poll the room should see: the open one; else the newest one shown to the room, while
   * it waits for publication or while the chair stays on its agenda item.
   */
  featured(currentItemId) {
    const open = this.open();
    if (open) return open;
    const latest = this.list().find((entry) => entry.poll.status !== "draft");
    if (!latest) return null;
    const { status, agenda_item_id: itemId } = latest.poll;
    if (status === "closed") return latest;
    if (itemId === null || itemId === undefined || itemId === currentItemId) return latest;
    return null;
  }
}

/** Seconds left on the poll's countdown (null: no countdown). */
export function remaining(entry) {
  return entry ? secondsLeft(entry.deadline) : null;
}

/** The choices of a poll in order: [{id, label, tone}]. */
export function choicesOf(poll) {
  if (poll.choice_type === "yes_no_abstain") {
    return YES_NO_ABSTAIN.map((id) => ({ id, label: t(`choice.${id}`), tone: id }));
  }
  return (poll.options ?? []).map((option) => ({ id: String(option.id), label: option.label, tone: "option" }));
}

export function choiceLabel(poll, choice) {
  if (Array.isArray(choice)) {
    if (!choice.length) return t("choice.blank");
    const labels = new Map(choicesOf(poll).map((c) => [c.id, c.label]));
    return choice.map((id) => labels.get(String(id)) ?? id).join(", ");
  }
  return choicesOf(poll).find((c) => c.id === choice)?.label ?? String(choice ?? "");
}

export function kindLabel(poll) {
  return poll.kind === "secret" ? t("poll.kind.secret") : t("poll.kind.named");
}

/** A padlock drawn inline: kiosks have no colour emoji font. */
export function lockIcon(className = "poll-kind-icon") {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", className);
  const path = document.createElementNS(ns, "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute(
    "d",
    "M7 10V7a5 5 0 0 1 10 0v3h1a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V11a1 1 0 0 1 1-1h1zm2 0h6V7a3 3 0 0 0-6 0v3z",
  );
  svg.append(path);
  return svg;
}

/** A badge naming the kind of vote; a secret ballot's is meant to be seen. */
export function kindBadge(poll, extra = "") {
  return el(
    "span",
    { className: `poll-kind poll-kind-${poll.kind} ${extra}`.trim(), dataset: { kind: poll.kind } },
    poll.kind === "secret" ? lockIcon() : null,
    kindLabel(poll),
  );
}

export function statusLabel(status) {
  return t(`poll.status.${status}`);
}

export function statusChip(status) {
  return el("span", { className: "poll-status", dataset: { status } }, statusLabel(status));
}

/** "more_than 1/2" → "Quá nửa"; "at_least 2/3" → "Ít nhất hai phần ba"; else p/q. */
export function thresholdLabel(text) {
  const match = /^(more_than|at_least) (\d+)\/(\d+)$/.exec(text ?? "");
  if (!match) return text ?? "";
  const [, relation, p, q] = match;
  const known = t(`threshold.${relation}.${p}/${q}`);
  if (known !== `threshold.${relation}.${p}/${q}`) return known;
  return t(`threshold.${relation}`, { fraction: `${p}/${q}` });
}

export function baseLabel(base) {
  return t(`base.${base}`);
}

export function percent(count, base) {
  if (!base) return "";
  const lang = document.documentElement.lang || "vi";
  const value = (100 * count) / base;
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(value)}%`;
}

export function verdictText(poll, result) {
  if (result.void) return t("result.void");
  if (poll.choice_type === "options") {
    const elected = Object.values(result.elected ?? {}).filter(Boolean).length;
    return elected ? t("result.options_passed", { n: elected }) : t("result.options_failed");
  }
  return result.passed ? t("result.passed") : t("result.failed");
}

/** A receipt, easier to read aloud and compare: groups of four. */
export function formatReceipt(receipt) {
  return String(receipt ?? "").replace(/(.{4})(?=.)/g, "$1 ");
}

/**
 * A bar chart of a result (pure CSS): one row per choice, bars on the scale of the base (or
 * of the largest count), a marker at the number required.
 */
export function resultChart(poll, result, { id } = {}) {
  const choices = choicesOf(poll);
  const counts = result.counts ?? {};
  const largest = Math.max(0, ...choices.map((c) => counts[c.id] ?? 0));
  const scale = Math.max(result.base || 0, largest, 1);
  const marker = result.required && result.required <= scale ? (100 * result.required) / scale : null;
  const rows = choices.map((choice, index) => {
    const count = counts[choice.id] ?? 0;
    const elected = poll.choice_type === "options" ? Boolean(result.elected?.[choice.id]) : null;
    return el(
      "div",
      {
        className: "chart-row",
        dataset: { choice: choice.id, count, tone: choice.tone, ...(elected === null ? {} : { elected }) },
        style: { "--share": `${(100 * count) / scale}%` },
      },
      el(
        "div",
        { className: "chart-label" },
        el("span", { className: "chart-label-text" }, choice.label),
        elected ? el("span", { className: "chart-elected" }, `✓ ${t("result.elected")}`) : null,
      ),
      el(
        "div",
        { className: "chart-track" },
        el("div", { className: "chart-fill" }),
        marker !== null
          ? el(
              "div",
              {
                className: "chart-marker",
                // Near an end, the label sits inside the chart rather than across its edge.
                dataset: { edge: marker > 85 ? "end" : marker < 12 ? "start" : "mid" },
                style: { "--at": `${marker}%` },
              },
              index === choices.length - 1
                ? el("span", { className: "chart-marker-label" }, t("result.required_short", { n: result.required }))
                : null,
            )
          : null,
      ),
      el(
        "div",
        { className: "chart-value" },
        el("span", { className: "chart-count" }, String(count)),
        el("span", { className: "chart-percent" }, percent(count, result.base)),
      ),
    );
  });
  const chart = el("div", { className: "chart", role: "img", "aria-label": t("result.chart") }, ...rows);
  if (id) chart.id = id;
  return chart;
}

/** The numbers behind a verdict: base, required, ballots, quorum. */
export function resultFacts(poll, result) {
  const facts = [
    [t("result.ballots"), String(result.ballots)],
    [t("result.base"), `${result.base} · ${baseLabel(poll.base)}`],
    [t("result.required"), `${result.required} · ${thresholdLabel(result.threshold)}`],
  ];
  if (result.quorum_required !== null && result.quorum_required !== undefined) {
    facts.push([t("result.quorum"), String(result.quorum_required)]);
  }
  if (result.blank) facts.push([t("result.blank"), String(result.blank)]);
  return el(
    "dl",
    { className: "result-facts" },
    ...facts.map(([label, value]) => el("div", { className: "result-fact" }, el("dt", {}, label), el("dd", {}, value))),
  );
}

/** How the screen shows a poll's state for tests: <body data-poll-*>. */
export function mirror(entry) {
  const body = document.body;
  body.dataset.pollId = entry ? String(entry.poll.id) : "";
  body.dataset.pollStatus = entry ? entry.poll.status : "";
  body.dataset.pollVoted = entry ? String(entry.voted) : "";
  body.dataset.pollEntitled = entry ? String(entry.entitled) : "";
}

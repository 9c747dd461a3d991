// The console's votes on screen: the list of polls, the selected poll's detail (status, rules,
// live progress and countdown, who has not voted, the result, the buttons for what can be done
// next) and the voting tab's badge. chair_voting.js decides when to draw; this module draws.
import { everyTick, formatClock } from "./clock.js";
import { el, setText, t } from "./ui.js";
import { kindBadge, remaining, resultChart, resultFacts, statusChip, verdictText } from "./voting.js";

// What each button does, and the statuses it applies to (voting/services.py).
export const ACTIONS = [
  { action: "open", command: "poll.open", statuses: ["draft"], label: "poll.action.open", className: "btn-primary" },
  { action: "close", command: "poll.close", statuses: ["open"], label: "poll.action.close", className: "btn-primary" },
  { action: "publish", command: "poll.publish", statuses: ["closed"], label: "poll.action.publish", className: "btn-primary" },
  { action: "cancel", command: "poll.cancel", statuses: ["open", "closed"], label: "poll.action.cancel", className: "btn-danger" },
  { action: "revote", command: "poll.revote", statuses: ["closed", "published", "cancelled"], label: "poll.action.revote", className: "" },
];

/** `ui`: {selected, busy} of chair_voting.js; `assisted`: chair_assisted.js's controls. */
export function pollPanel({ state, store, ui, assisted }) {
  const body = document.body;
  function selected() {
    return store.get(ui.selected) ?? store.open() ?? store.list()[0] ?? null;
  }

  function notVoted(entry) {
    const present = [...state.roster.values()].filter((d) => d.status === "present");
    return present.filter((d) => !entry.votedIds.has(d.id));
  }

  function actionButtons(entry) {
    const { poll } = entry;
    const live = state.session?.status === "in_progress";
    const another = store.open();
    return el(
      "div",
      { className: "poll-actions" },
      ...ACTIONS.filter((spec) => spec.statuses.includes(poll.status)).map((spec) => {
        const button = el(
          "button",
          {
            type: "button",
            className: `btn btn-lg ${spec.className}`.trim(),
            dataset: { action: spec.action, pollId: poll.id },
          },
          t(spec.label),
        );
        button.disabled =
          ui.busy.has(poll.id) ||
          (spec.action === "open" && (!live || (another && another.poll.id !== poll.id)));
        if (spec.action === "open" && !live) button.title = t("poll.needs_live");
        else if (spec.action === "open" && another) button.title = t("poll.another_open");
        return button;
      }),
    );
  }

  function progressBlock(entry) {
    const { voted, entitled } = entry;
    const share = entitled ? Math.min(100, (100 * voted) / entitled) : 0;
    return el(
      "div",
      { className: "poll-progress", id: "poll-live-progress", dataset: { voted, entitled } },
      el(
        "div",
        { className: "poll-progress-line" },
        el("span", { className: "poll-progress-caption" }, t("poll.voted")),
        el("span", { className: "poll-progress-count" }, el("strong", {}, String(voted)), ` / ${entitled}`),
        el("span", { className: "poll-countdown", id: "poll-live-countdown", dataset: { seconds: "" } }),
      ),
      el("div", { className: "meter", "aria-hidden": "true" }, el("div", { className: "meter-fill", style: { width: `${share}%` } })),
    );
  }

  function notVotedBlock(entry) {
    const missing = notVoted(entry);
    return el(
      "div",
      { className: "not-voted", id: "poll-not-voted", dataset: { count: missing.length } },
      el("div", { className: "not-voted-label" }, t("poll.not_voted", { n: missing.length })),
      missing.length
        ? el(
            "ul",
            { className: "not-voted-list" },
            ...missing.map((d) =>
              el(
                "li",
                { className: "not-voted-item", dataset: { delegateId: d.id, connected: d.connected ? "true" : "false" } },
                el("span", { className: "not-voted-seat" }, d.seat || "–"),
                el("span", { className: "not-voted-name" }, d.full_name),
                // No tablet, or a dead one: the secretary records the show of hands (the chair
                // at the console votes in her own block above).
                d.id === state.me?.id ? null : assisted.recordButton(entry, d),
              ),
            ),
          )
        : el("div", { className: "muted small" }, t("poll.all_voted")),
    );
  }

  function resultBlock(entry) {
    const { poll, result } = entry;
    const passed = result.void ? "void" : String(result.passed);
    return el(
      "div",
      { className: "poll-result", id: "poll-live-result", dataset: { passed } },
      el(
        "div",
        { className: "poll-result-head" },
        el("span", { className: "verdict verdict-sm", dataset: { passed } }, verdictText(poll, result)),
        poll.status === "closed" ? el("span", { className: "chip chip-warn" }, t("poll.not_published")) : null,
      ),
      resultChart(poll, result),
      resultFacts(poll, result),
      el(
        "div",
        { className: "poll-digest muted small", title: result.digest },
        `${t("result.digest")}: `,
        el("code", {}, `${result.digest.slice(0, 12)}…`),
      ),
    );
  }

  /** What decides the detail's layout and buttons; the live numbers change inside it. */
  function detailShape(entry) {
    const { poll } = entry;
    const another = store.open();
    const me = state.me ? state.roster.get(state.me.id) : null;
    return JSON.stringify([
      poll.id,
      poll.status,
      Boolean(entry.result),
      ui.busy.has(poll.id),
      state.session?.status,
      another ? another.poll.id : null,
      Boolean(entry.myBallot?.cast),
      me?.status ?? null,
    ]);
  }

  /** Progress and who has not voted, replaced in place: the buttons stay the same elements,
   * so a click is never lost to a progress event arriving under the chair's finger. */
  function updateLive(entry) {
    const progress = document.getElementById("poll-live-progress");
    if (progress) progress.replaceWith(progressBlock(entry));
    const missing = document.getElementById("poll-not-voted");
    if (missing) missing.replaceWith(notVotedBlock(entry));
    tickClock();
  }

  function renderDetail() {
    const detail = document.getElementById("poll-detail");
    const entry = selected();
    if (!entry) {
      detail.hidden = true;
      detail.dataset.pollId = "";
      detail.dataset.status = "";
      detail.dataset.shape = "";
      return;
    }
    const shape = detailShape(entry);
    if (detail.dataset.shape === shape) {
      updateLive(entry);
      return;
    }
    detail.dataset.shape = shape;
    const { poll } = entry;
    const item = state.agenda.find((candidate) => candidate.id === poll.agenda_item_id);
    detail.hidden = false;
    detail.dataset.pollId = String(poll.id);
    detail.dataset.status = poll.status;
    detail.dataset.kind = poll.kind;
    const parts = [
      el(
        "div",
        { className: "poll-detail-head" },
        statusChip(poll.status),
        kindBadge(poll),
        item ? el("span", { className: "muted small" }, `${t("poll.item")} ${item.number}`) : null,
        poll.revote_of ? el("span", { className: "muted small" }, t("poll.revote_of", { id: poll.revote_of })) : null,
      ),
      el("div", { className: "poll-detail-title" }, poll.title),
      el("div", { className: "muted small poll-rules" }, pollRules(poll)),
    ];
    if (poll.status === "open") {
      parts.push(progressBlock(entry));
      parts.push(assisted.myBallotBlock(entry));
      if (poll.kind === "named") parts.push(notVotedBlock(entry));
      else {
        parts.push(el("p", { className: "muted small" }, t("poll.secret_note")));
        parts.push(el("div", { className: "assist-pass" }, assisted.passButton(entry), el("span", { className: "muted small" }, t("assist.pass_note"))));
      }
    }
    if (poll.quorum_at_open && !poll.quorum_at_open.quorate) {
      parts.push(
        el(
          "p",
          { className: "poll-override", id: "poll-override" },
          t("poll.opened_below_quorum", {
            present: poll.quorum_at_open.present,
            seats: poll.quorum_at_open.seats,
            reason: poll.quorum_at_open.override_reason,
          }),
        ),
      );
    }
    if ((poll.status === "closed" || poll.status === "published") && entry.result) parts.push(resultBlock(entry));
    if (poll.status === "closed" && !entry.result) parts.push(el("p", { className: "muted" }, t("poll.counting")));
    if (poll.status === "cancelled") {
      parts.push(el("p", { className: "poll-cancel-reason" }, t("poll.cancel_reason", { reason: poll.cancel_reason ?? "" })));
    }
    parts.push(actionButtons(entry));
    detail.replaceChildren(...parts);
    tickClock();
  }

  function pollRules(poll) {
    const bits = [
      poll.choice_type === "options"
        ? t("poll.options_rule", { n: poll.options.length, min: poll.min_selections, max: poll.max_selections })
        : t("poll.yes_no"),
    ];
    if (poll.allow_change) bits.push(t("poll.allow_change"));
    if (poll.show_partial) bits.push(t("poll.show_partial"));
    return bits.join(" · ");
  }

  function renderList() {
    const list = document.getElementById("poll-list");
    const entries = store.list();
    const current = selected();
    const shape = JSON.stringify(entries.map((e) => [e.poll.id, e.poll.status, Boolean(e.result), e === current]));
    if (list.dataset.shape === shape) {
      for (const entry of entries) {
        const count = list.querySelector(`.poll-row[data-poll-id="${entry.poll.id}"] .poll-row-count`);
        if (count) count.textContent = `${entry.voted}/${entry.entitled}`;
      }
      return;
    }
    list.dataset.shape = shape;
    list.replaceChildren(
      ...entries.map((entry) =>
        el(
          "li",
          {
            className: `poll-row${entry === current ? " selected" : ""}`,
            dataset: { pollId: entry.poll.id, status: entry.poll.status },
          },
          el(
            "button",
            { type: "button", className: "poll-row-button", dataset: { pollId: entry.poll.id } },
            el("span", { className: "poll-row-title" }, entry.poll.title),
            el(
              "span",
              { className: "poll-row-side" },
              entry.poll.status === "open" ? el("span", { className: "poll-row-count" }, `${entry.voted}/${entry.entitled}`) : null,
              entry.result && ["closed", "published"].includes(entry.poll.status)
                ? el("span", { className: "verdict verdict-xs", dataset: { passed: String(entry.result.passed) } }, verdictText(entry.poll, entry.result))
                : null,
              statusChip(entry.poll.status),
            ),
          ),
        ),
      ),
    );
    document.getElementById("poll-empty").hidden = entries.length > 0;
    document.getElementById("poll-list-label").hidden = entries.length === 0;
  }

  function renderBadge() {
    const open = store.open();
    const badge = document.getElementById("tab-voting-badge");
    badge.hidden = !open;
    badge.textContent = open ? `${open.voted}/${open.entitled}` : "";
    body.dataset.openPollId = open ? String(open.poll.id) : "";
  }

  function tickClock() {
    const entry = selected();
    const clock = document.getElementById("poll-live-countdown");
    if (!clock || !entry) return;
    const seconds = entry.poll.status === "open" ? remaining(entry) : null;
    clock.dataset.seconds = seconds === null ? "" : String(Math.ceil(seconds));
    setText("poll-live-countdown", seconds === null ? "" : `⏱ ${seconds > 0 ? formatClock(seconds) : t("poll.time_up")}`);
  }
  everyTick(tickClock);

  return { selected, renderDetail, renderList, renderBadge };
}

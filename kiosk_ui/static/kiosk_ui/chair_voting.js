// The console's votes: create a poll for the current item, open, close, publish, cancel and
// re-vote it; live progress, who has not voted yet (named polls), and the result at close.
import { setupAssistedVotes } from "./chair_assisted.js";
import { el, setText, t, toast } from "./ui.js";
import { everyTick, formatClock } from "./clock.js";
import {
  PollStore,
  kindBadge,
  remaining,
  resultChart,
  resultFacts,
  statusChip,
  verdictText,
} from "./voting.js";

// What each button does, and the statuses it applies to (voting/services.py).
const ACTIONS = [
  { action: "open", command: "poll.open", statuses: ["draft"], label: "poll.action.open", className: "btn-primary" },
  { action: "close", command: "poll.close", statuses: ["open"], label: "poll.action.close", className: "btn-primary" },
  { action: "publish", command: "poll.publish", statuses: ["closed"], label: "poll.action.publish", className: "btn-primary" },
  { action: "cancel", command: "poll.cancel", statuses: ["open", "closed"], label: "poll.action.cancel", className: "btn-danger" },
  { action: "revote", command: "poll.revote", statuses: ["closed", "published", "cancelled"], label: "poll.action.revote", className: "" },
];

export function setupChairVoting({ client, state, quorum }) {
  const store = new PollStore();
  const ui = { selected: null, busy: new Set() };
  const body = document.body;
  const assisted = setupAssistedVotes({ client, state, store, render: () => render() });

  // -- tabs -----------------------------------------------------------------------------------
  const tabs = [...document.querySelectorAll(".tabs .tab")];
  function showTab(id) {
    for (const tab of tabs) {
      const on = tab.id === id;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.classList.toggle("active", on);
      document.getElementById(tab.dataset.panel).hidden = !on;
    }
    body.dataset.tab = id.replace(/^tab-/, ""); // roster, voting, documents
  }
  for (const tab of tabs) tab.addEventListener("click", () => showTab(tab.id));

  // -- what to show ---------------------------------------------------------------------------
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

  function render() {
    renderDetail();
    renderList();
    renderBadge();
    const entry = selected();
    body.dataset.selectedPollId = entry ? String(entry.poll.id) : "";
    body.dataset.selectedPollStatus = entry ? entry.poll.status : "";
  }

  // Roster changes come in storms (a room of tablets connecting): draw once for a burst.
  let soon = null;
  function renderSoon() {
    if (soon === null) {
      soon = setTimeout(() => {
        soon = null;
        render();
      }, 50);
    }
  }

  // -- commands -------------------------------------------------------------------------------
  /** Drafts are not broadcast: after creating one, the console takes a new snapshot. */
  async function refresh() {
    await client.command("snapshot.request", {}, { quiet: true }).catch(() => {});
  }

  async function run(pollId, type, data) {
    ui.busy.add(pollId);
    render();
    try {
      // Below the quorum the console asks for the chair's reason (chair_quorum.js).
      if (type === "poll.open") return await quorum.run(type, { poll_id: pollId, ...data });
      return await client.command(type, { poll_id: pollId, ...data });
    } finally {
      ui.busy.delete(pollId);
      render();
    }
  }

  const closeDialog = document.getElementById("poll-close-dialog");
  const cancelDialog = document.getElementById("poll-cancel-dialog");
  let target = null;

  document.getElementById("poll-detail").addEventListener("click", async (event) => {
    const button = event.target.closest("[data-action]");
    if (!button || button.disabled) return;
    const pollId = Number(button.dataset.pollId);
    const entry = store.get(pollId);
    if (!entry) return;
    const action = button.dataset.action;
    target = pollId;
    if (action === "close") {
      setText("poll-close-text", t("poll.confirm_close", { title: entry.poll.title }));
      closeDialog.returnValue = "";
      closeDialog.showModal();
      return;
    }
    if (action === "cancel") {
      setText("poll-cancel-text", t("poll.confirm_cancel", { title: entry.poll.title }));
      document.getElementById("poll-cancel-reason").value = "";
      document.getElementById("poll-cancel-error").hidden = true;
      cancelDialog.showModal();
      return;
    }
    const spec = ACTIONS.find((candidate) => candidate.action === action);
    try {
      const answer = await run(pollId, spec.command, {});
      if (action === "revote") {
        ui.selected = answer.poll_id;
        await refresh();
      }
    } catch {
      // the toast shows the server's message
    }
  });

  closeDialog.addEventListener("close", () => {
    if (closeDialog.returnValue === "confirm" && target !== null) run(target, "poll.close", {}).catch(() => {});
  });

  document.getElementById("poll-cancel-back").addEventListener("click", () => cancelDialog.close());
  document.getElementById("poll-cancel-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = document.getElementById("poll-cancel-reason").value.trim();
    const error = document.getElementById("poll-cancel-error");
    if (!reason) {
      error.textContent = t("poll.reason_required");
      error.hidden = false;
      document.getElementById("poll-cancel-reason").focus();
      return;
    }
    cancelDialog.close();
    run(target, "poll.cancel", { reason }).catch(() => {});
  });

  document.getElementById("poll-list").addEventListener("click", (event) => {
    const button = event.target.closest(".poll-row-button");
    if (!button) return;
    ui.selected = Number(button.dataset.pollId);
    render();
  });

  // -- the form -------------------------------------------------------------------------------
  const dialog = document.getElementById("poll-dialog");
  const form = document.getElementById("poll-form");
  const formError = document.getElementById("poll-form-error");

  function currentItem() {
    return state.agenda.find((item) => item.id === state.session?.current_item_id) ?? null;
  }

  function syncForm() {
    const options = form.elements.choice_type.value === "options";
    document.getElementById("poll-options-fields").hidden = !options;
    // Partial counts are for named polls only: a secret poll's would tell each ballot in turn.
    const partial = document.getElementById("poll-show-partial");
    partial.disabled = form.elements.kind.value === "secret";
    if (partial.disabled) partial.checked = false;
  }
  form.addEventListener("change", syncForm);

  document.getElementById("poll-new").addEventListener("click", () => {
    form.reset();
    const item = currentItem();
    document.getElementById("poll-title").value = item ? item.title : "";
    form.dataset.agendaItemId = item ? String(item.id) : "";
    setText("poll-item-line", item ? t("poll.for_item", { number: item.number, title: item.title }) : t("poll.no_item"));
    formError.hidden = true;
    syncForm();
    dialog.showModal();
    document.getElementById("poll-title").focus();
  });
  document.getElementById("poll-form-cancel").addEventListener("click", () => dialog.close());

  function fail(message) {
    formError.textContent = message;
    formError.hidden = false;
    return null;
  }

  function readForm() {
    const title = document.getElementById("poll-title").value.trim();
    if (!title) return fail(t("poll.title_required"));
    const data = { title, kind: form.elements.kind.value, choice_type: form.elements.choice_type.value };
    if (form.dataset.agendaItemId) data.agenda_item_id = Number(form.dataset.agendaItemId);
    if (data.choice_type === "options") {
      const options = document
        .getElementById("poll-options")
        .value.split("\n")
        .map((line) => line.trim())
        .filter(Boolean);
      if (options.length < 2) return fail(t("poll.options_required"));
      const min = Number(document.getElementById("poll-min").value || 0);
      const max = Number(document.getElementById("poll-max").value || 1);
      if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < Math.max(1, min) || max > options.length) {
        return fail(t("poll.bounds_invalid", { n: options.length }));
      }
      Object.assign(data, { options, min_selections: min, max_selections: max });
    }
    const countdown = document.getElementById("poll-countdown").value.trim();
    if (countdown) {
      const seconds = Number(countdown);
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86400) return fail(t("poll.countdown_invalid"));
      data.countdown_seconds = seconds;
    }
    for (const name of ["base", "threshold"]) {
      const value = document.getElementById(`poll-${name}`).value;
      if (value) data[name] = value;
    }
    data.quorum = document.getElementById("poll-quorum").value || "none";
    data.presence_quorum = document.getElementById("poll-presence-quorum").value || "none";
    data.allow_change = document.getElementById("poll-allow-change").checked;
    // A secret poll shows no partial count before its close (the server refuses it too).
    data.show_partial = data.kind === "named" && document.getElementById("poll-show-partial").checked;
    return data;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = readForm();
    if (!data) return;
    const openNow = event.submitter?.value === "open";
    const buttons = form.querySelectorAll("button");
    for (const button of buttons) button.disabled = true;
    try {
      const created = await client.command("poll.create", data, { quiet: true });
      dialog.close();
      ui.selected = created.poll_id;
      showTab("tab-voting");
      await refresh();
      if (openNow) await run(created.poll_id, "poll.open", {}).catch(() => {});
      toast(t("poll.created"), { kind: "ok" });
    } catch (error) {
      fail(error.message || String(error));
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  });

  // -- events ---------------------------------------------------------------------------------
  function event(apply) {
    return (data) => {
      apply(data);
      render();
    };
  }

  return {
    store,
    render,
    renderSoon,
    showTab,
    load(polls) {
      store.load(polls);
      render();
    },
    handlers: {
      "poll.opened": event((data) => {
        store.opened(data);
        ui.selected = data.poll.id;
      }),
      "poll.progress": event((data) => store.progress(data)),
      "poll.closed": event((data) => store.closed(data)),
      "poll.published": event((data) => store.published(data)),
      "poll.cancelled": event((data) => store.cancelled(data)),
      "poll.result": event((data) => store.result(data)),
      "poll.voters": event((data) => store.voters(data)),
    },
  };
}

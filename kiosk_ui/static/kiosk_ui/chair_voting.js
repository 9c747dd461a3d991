// The console's votes: create a poll for the current item (chair_poll_form.js), open, close,
// publish, cancel and re-vote it; live progress, who has not voted yet (named polls), and the
// result at close (drawn by chair_poll_view.js); votes the secretary records or the chair casts
// (chair_assisted.js).
import { setupAssistedVotes } from "./chair_assisted.js";
import { pollForm } from "./chair_poll_form.js";
import { ACTIONS, pollPanel } from "./chair_poll_view.js";
import { ask, onConfirm, setText, t, toast } from "./ui.js";
import { PollStore } from "./voting.js";

export function install(screen) {
  const { client, state } = screen;
  const { quorum, tabs } = screen.features;
  const store = new PollStore();
  state.polls = store; // what the room sees follows the votes (room.js)
  const ui = { selected: null, busy: new Set() };
  const body = document.body;
  const assisted = setupAssistedVotes({ client, state, store, render: () => render() });
  const panel = pollPanel({ state, store, ui, assisted });

  function render() {
    panel.renderDetail();
    panel.renderList();
    panel.renderBadge();
    const entry = panel.selected();
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
      ask(closeDialog);
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
      // The new draft arrives as poll.created (before or after this answer).
      if (action === "revote") {
        ui.selected = answer.poll_id;
        render();
      }
    } catch {
      // the toast shows the server's message
    }
  });

  onConfirm(closeDialog, () => {
    if (target !== null) run(target, "poll.close", {}).catch(() => {});
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

  pollForm({
    client,
    state,
    async created(answer, openNow) {
      ui.selected = answer.poll_id; // shown when poll.created brings it, if not already here
      tabs.showTab("tab-voting");
      render();
      if (openNow) await run(answer.poll_id, "poll.open", {}).catch(() => {});
      toast(t("poll.created"), { kind: "ok" });
    },
  });

  // -- the socket -----------------------------------------------------------------------------
  function on(type, apply) {
    screen.on(type, (data) => {
      apply(data);
      render();
    });
  }

  screen.snapshot((data) => {
    store.load(data.polls);
    render();
  });
  on("poll.created", (data) => store.created(data)); // a draft: the console's alone
  on("poll.opened", (data) => {
    store.opened(data);
    ui.selected = data.poll.id;
  });
  on("poll.progress", (data) => store.progress(data));
  on("poll.closed", (data) => store.closed(data));
  on("poll.published", (data) => store.published(data));
  on("poll.cancelled", (data) => store.cancelled(data));
  on("poll.result", (data) => store.result(data));
  on("poll.voters", (data) => store.voters(data));
  screen.watch("session", render);
  screen.watch("roster", renderSoon); // who has not voted yet follows the roster

  return { store, render };
}

// What a tablet keeps of its delegate's ballots, and the ballot's way over HTTP.
//
// A ballot's command id makes its receipt (docs/protocol.md): one id per ballot, kept in
// localStorage until the server answers, so a ballot sent again (after a reconnect, a timeout,
// a reload) is the same ballot and counts once. While the poll is open the id is kept with the
// receipt: it is the proof that changes a secret ballot (the receipt, on screen, is not).
// A secret ballot's choice is kept in memory only, until the poll closes; nothing of any
// ballot stays on the tablet after sign-out (forgetBallots, also run by the sign-in page).
import { CommandError, commandId } from "./client.js";
import { forgetBallots, readJSON, writeJSON } from "./tablet_storage.js";
import { t } from "./ui.js";

/** The receipts and unanswered ballots of one delegate on this tablet. */
export function ballotBook(delegateId) {
  const receiptsKey = `chamber.receipts.${delegateId}`;
  const pendingKey = (pollId) => `chamber.ballot.pending.${delegateId}.${pollId}`;
  // Another delegate's ballots, left by a sign-out that never ran its script: gone.
  forgetBallots(delegateId);
  // The choice of this tablet's secret ballot, by poll: in memory only, until the poll closes.
  const secretChoice = new Map();

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

  /** Polls no longer open (store entries): forget the proof of the ballot and a secret choice. */
  function forgetClosed(entries) {
    const all = receipts();
    let changed = false;
    for (const entry of entries) {
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

  /** The ballot's command: the one waiting for an answer if it is the same ballot, else new. */
  function ballotCommand(data) {
    const pending = readJSON(pendingKey(data.poll_id), null);
    if (pending && JSON.stringify(pending.data) === JSON.stringify(data)) return pending;
    const command = { id: commandId(), data };
    writeJSON(pendingKey(data.poll_id), command);
    return command;
  }

  return {
    receipts,
    saveReceipt,
    forgetClosed,
    lastReceipt,
    ballotCommand,
    secretChoice,
    /** The ballot sent for `pollId` that got no answer yet, or null. */
    pending: (pollId) => readJSON(pendingKey(pollId), null),
    /** The server answered (or refused for good): the command need not be kept. */
    settle: (pollId) => writeJSON(pendingKey(pollId), null),
  };
}

/**
 * The socket is down: the same envelope, with the same id, over HTTP (docs/protocol.md,
 * "HTTP fallback"). The answer is the socket's `ack` or `error`.
 */
export async function postBallot(url, command) {
  const token =
    document.querySelector("input[name=csrfmiddlewaretoken]")?.value ??
    document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/)?.[1] ??
    "";
  let answer;
  try {
    const response = await fetch(url, {
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

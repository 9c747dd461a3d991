// What the tablet's ballot shows at each step (tablet_voting.js decides the step), and the
// poll's card on the agenda view.
import { el, setText, t } from "./ui.js";
import {
  choiceLabel,
  choicesOf,
  formatReceipt,
  kindBadge,
  resultChart,
  resultFacts,
  statusChip,
  verdictText,
} from "./voting.js";

/** Step "choose": three buttons, or the options to tick (`ui.selection`). */
export function renderChoices(entry, ui) {
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

/** Step "confirm" (or "sending"): the choice, what the vote's kind means, a failure. */
export function renderConfirm(entry, ui) {
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

/** Step "cast": done, the choice if this tablet may show it, the receipt. */
export function renderCast(entry, ui, book) {
  const { poll } = entry;
  const just = ui.justCast === poll.id;
  setText("ballot-done-title", just ? t("ballot.recorded") : t("ballot.already"));
  const mine = book.receipts()[poll.id];
  const choice = entry.myBallot?.choice ?? (poll.kind === "secret" ? book.secretChoice.get(poll.id) : mine?.choice);
  setText("ballot-done-choice", choice !== undefined && choice !== null ? t("ballot.your_choice", { choice: choiceLabel(poll, choice) }) : "");
  document.getElementById("ballot-receipt-box").hidden = !mine;
  setText("ballot-receipt", mine ? formatReceipt(mine.receipt) : "");
  document.getElementById("ballot-receipt").dataset.receipt = mine?.receipt ?? "";
  // A secret ballot can be changed only with the command id of the one it replaces.
  document.getElementById("ballot-change").hidden = !poll.allow_change || (poll.kind === "secret" && !mine?.id);
  setText("ballot-hint", "");
}

/** Step "result": the published result, with this tablet's receipt. */
export function renderResult(entry, book) {
  const { poll, result } = entry;
  const box = document.getElementById("ballot-result");
  box.dataset.passed = result.void ? "void" : String(result.passed);
  const verdict = document.getElementById("ballot-verdict");
  verdict.dataset.passed = box.dataset.passed;
  verdict.textContent = verdictText(poll, result);
  document.getElementById("ballot-chart").replaceChildren(resultChart(poll, result));
  document.getElementById("ballot-facts").replaceChildren(resultFacts(poll, result));
  const mine = book.receipts()[poll.id];
  setText("ballot-hint", mine ? t("ballot.your_receipt", { receipt: formatReceipt(mine.receipt) }) : "");
}

/** The poll's card on the agenda view: status, my ballot, the result, the last receipt. */
export function renderCard(entry, book, overlayHidden) {
  const card = document.getElementById("poll-card");
  const last = book.lastReceipt();
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
  document.getElementById("poll-card-open").hidden = !(overlayHidden && poll.status === "open" && !cast);
  document.getElementById("poll-card-show").hidden = !(overlayHidden && ((poll.status === "open" && cast) || (poll.status === "published" && entry.result)));
}

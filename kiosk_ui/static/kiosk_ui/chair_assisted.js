// Every present delegate can vote (voting/assisted.py): the secretary records a show of hands
// in a named vote, issues a one-time pass (QR code and link) for a spare tablet in a secret
// vote, and the chair — a delegate with a linked account — votes from the console.
import { commandId } from "./client.js";
import { el, t, toast } from "./ui.js";

const YES_NO_ABSTAIN = ["yes", "no", "abstain"];

function choiceLabel(poll, choice) {
  if (poll.choice_type !== "options") return t(`choice.${choice}`);
  return poll.options.find((option) => String(option.id) === String(choice))?.label ?? choice;
}

/** Choice controls for one ballot: three buttons, or a list of check boxes and a send button. */
function choiceControls(poll, onChoose, idPrefix) {
  if (poll.choice_type !== "options") {
    return el(
      "div",
      { className: "assist-choices" },
      ...YES_NO_ABSTAIN.map((choice) =>
        el(
          "button",
          {
            type: "button",
            className: "btn btn-lg assist-choice",
            id: `${idPrefix}-${choice}`,
            dataset: { choice, tone: choice },
            onclick: () => onChoose(choice),
          },
          t(`choice.${choice}`),
        ),
      ),
    );
  }
  const boxes = poll.options.map((option) =>
    el(
      "label",
      { className: "check assist-option" },
      el("input", { type: "checkbox", value: String(option.id) }),
      ` ${option.label}`,
    ),
  );
  const send = el(
    "button",
    { type: "button", className: "btn btn-primary btn-lg", id: `${idPrefix}-send` },
    t("assist.send"),
  );
  send.addEventListener("click", () => {
    const chosen = boxes.filter((box) => box.querySelector("input").checked).map((box) => box.querySelector("input").value);
    onChoose(chosen);
  });
  return el("div", { className: "assist-options" }, ...boxes, send);
}

export function setupAssistedVotes({ client, state, store, render }) {
  // -- the chair's own ballot ---------------------------------------------------------------------
  function myBallotBlock(entry) {
    const me = state.me;
    if (!me || entry.poll.status !== "open") return null;
    const present = state.roster.get(me.id)?.status === "present";
    const mine = entry.myBallot;
    const parts = [el("div", { className: "card-label" }, t("assist.my_ballot", { name: me.full_name }))];
    if (mine?.cast) {
      const choice = mine.choice;
      const said =
        choice === undefined || choice === null
          ? t("assist.my_ballot_cast")
          : t("assist.my_ballot_choice", {
              choice: (Array.isArray(choice) ? choice : [choice]).map((c) => choiceLabel(entry.poll, c)).join(", "),
            });
      parts.push(el("p", { className: "assist-done", id: "my-ballot-done" }, said));
    } else if (!present) {
      parts.push(el("p", { className: "muted small" }, t("assist.my_ballot_check_in")));
    } else {
      parts.push(
        choiceControls(
          entry.poll,
          (choice) => castMine(entry, choice),
          "my-ballot",
        ),
      );
    }
    return el("div", { className: "my-ballot", id: "my-ballot", dataset: { cast: mine?.cast ? "true" : "false" } }, ...parts);
  }

  async function castMine(entry, choice) {
    const pollId = entry.poll.id;
    try {
      await client.command("ballot.cast", { poll_id: pollId, choice }, { id: commandId() });
      const current = store.get(pollId);
      if (current) current.myBallot = entry.poll.kind === "named" ? { cast: true, choice } : { cast: true };
      toast(t("assist.cast_done"), { kind: "ok" });
    } catch {
      // the toast shows the server's message
    }
    render();
  }

  // -- a show of hands (named) ------------------------------------------------------------------
  const hands = document.getElementById("hands-dialog");
  let handsTarget = null;

  function recordButton(entry, delegate) {
    return el(
      "button",
      {
        type: "button",
        className: "btn btn-sm assist-record",
        dataset: { recordDelegate: delegate.id },
        title: t("assist.record_title"),
        onclick: () => openHands(entry, delegate),
      },
      t("assist.record"),
    );
  }

  function openHands(entry, delegate) {
    handsTarget = { pollId: entry.poll.id, delegateId: delegate.id };
    document.getElementById("hands-dialog-text").textContent = t("assist.record_for", {
      name: delegate.full_name,
      title: entry.poll.title,
    });
    document.getElementById("hands-error").hidden = true;
    document
      .getElementById("hands-choices")
      .replaceChildren(choiceControls(entry.poll, (choice) => recordHands(choice), "hands"));
    hands.dataset.delegateId = String(delegate.id);
    hands.showModal();
  }

  async function recordHands(choice) {
    if (!handsTarget) return;
    const { pollId, delegateId } = handsTarget;
    try {
      await client.command(
        "ballot.record",
        { poll_id: pollId, delegate_id: delegateId, choice },
        { quiet: true },
      );
      const entry = store.get(pollId);
      if (entry) entry.votedIds.add(delegateId);
      hands.close();
      handsTarget = null;
      toast(t("assist.recorded"), { kind: "ok" });
      render();
    } catch (refused) {
      const error = document.getElementById("hands-error");
      error.textContent = refused.message || String(refused);
      error.hidden = false;
    }
  }
  document.getElementById("hands-back").addEventListener("click", () => hands.close());

  // -- a voting pass for a spare tablet (secret) ------------------------------------------------
  const passDialog = document.getElementById("pass-dialog");
  const passSelect = document.getElementById("pass-delegate");
  let passPoll = null;

  function passButton(entry) {
    return el(
      "button",
      {
        type: "button",
        className: "btn btn-lg",
        id: "pass-open",
        onclick: () => openPass(entry),
      },
      t("assist.pass"),
    );
  }

  function openPass(entry) {
    passPoll = entry.poll.id;
    const present = [...state.roster.values()].filter((d) => d.status === "present");
    passSelect.replaceChildren(
      el("option", { value: "" }, t("assist.pass_pick")),
      ...present.map((d) => el("option", { value: String(d.id) }, `${d.seat || "–"} · ${d.full_name}`)),
    );
    document.getElementById("pass-result").hidden = true;
    document.getElementById("pass-error").hidden = true;
    document.getElementById("pass-qr").replaceChildren();
    passDialog.showModal();
  }

  document.getElementById("pass-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = document.getElementById("pass-error");
    const delegateId = Number(passSelect.value);
    if (!delegateId) {
      error.textContent = t("assist.pass_pick");
      error.hidden = false;
      return;
    }
    try {
      const issued = await client.command(
        "pass.issue",
        { poll_id: passPoll, delegate_id: delegateId },
        { quiet: true, id: commandId() },
      );
      error.hidden = true;
      // The QR code is the server's own SVG, made from the link it just issued.
      const holder = document.getElementById("pass-qr");
      holder.innerHTML = issued.qr_svg;
      const link = document.getElementById("pass-link");
      link.textContent = issued.url;
      link.href = issued.url;
      const name = state.roster.get(delegateId)?.full_name ?? "";
      document.getElementById("pass-for").textContent = t("assist.pass_for", { name });
      document.getElementById("pass-result").hidden = false;
      passDialog.dataset.passId = String(issued.pass_id);
    } catch (refused) {
      error.textContent = refused.message || String(refused);
      error.hidden = false;
    }
  });
  document.getElementById("pass-back").addEventListener("click", () => {
    document.getElementById("pass-qr").replaceChildren(); // the link is not left on the screen
    passDialog.close();
  });

  return { myBallotBlock, recordButton, passButton };
}

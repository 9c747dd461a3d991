// The room's view of the floor: who speaks (name, seat or title and agency), the kind of turn,
// a timer readable from the back of the room (red and counting up over time), the next three
// in line; during the question session, the question and its respondent. Shown with the
// agenda, never over a vote, a page shown or the closing screen.
import { speakerLine } from "./floor.js";
import { el, setText, t } from "./ui.js";

export function install(screen) {
  const { state } = screen;
  const floor = screen.features.floor;
  const main = document.getElementById("proj-main");
  const panel = el(
    "section",
    { className: "proj-floor", id: "floor-panel", hidden: true, "aria-live": "polite" },
    el(
      "div",
      { className: "proj-floor-now" },
      el(
        "div",
        { className: "proj-floor-who" },
        el("div", { className: "proj-floor-kind", id: "floor-kind" }),
        el("div", { className: "proj-floor-name", id: "floor-name" }),
        el("div", { className: "proj-floor-detail", id: "floor-detail" }),
        el("div", { className: "proj-floor-reply", id: "floor-reply" }),
      ),
      el("div", { className: "proj-floor-timer", id: "floor-timer", dataset: { overtime: "false", paused: "false" } }),
    ),
    el(
      "div",
      { className: "proj-floor-question", id: "floor-question", hidden: true },
      el("div", { className: "proj-floor-question-text", id: "floor-question-text" }),
      el("div", { className: "proj-floor-question-to", id: "floor-question-to" }),
    ),
    el(
      "div",
      { className: "proj-floor-next", id: "floor-next-box" },
      el("span", { className: "proj-floor-next-label" }, t("floor.next_in_line")),
      el("ol", { className: "proj-floor-next-list", id: "floor-next" }),
    ),
  );
  main.append(panel);
  floor.tick(document.getElementById("floor-timer"));

  function render() {
    const turn = state.floor.turn;
    const view = state.room?.view ?? main.dataset.view;
    const shown = Boolean(turn) && view === "agenda";
    panel.hidden = !shown;
    main.dataset.floor = shown ? "turn" : "";
    document.body.dataset.floorTurn = turn ? String(turn.id) : "";
    const next = floor.currentList().waiting.slice(0, 3);
    document.getElementById("floor-next").replaceChildren(
      ...next.map((entry) =>
        el(
          "li",
          { dataset: { requestId: entry.id, kind: entry.kind } },
          el("span", { className: "proj-floor-next-name" }, entry.speaker.name),
          el("span", { className: "proj-floor-next-kind" }, entry.kind_label),
        ),
      ),
    );
    document.getElementById("floor-next-box").hidden = !next.length;
    if (!turn) return;
    panel.dataset.kind = turn.kind;
    setText("floor-kind", turn.kind_label);
    setText("floor-name", turn.speaker.name);
    setText("floor-detail", speakerLine(turn.speaker));
    setText("floor-reply", turn.reply_to ? t("floor.reply_to", { name: turn.reply_to.name }) : "");
    const question = turn.question_id ? state.questions.questions.find((q) => q.id === turn.question_id) : null;
    document.getElementById("floor-question").hidden = !question;
    if (question) {
      setText("floor-question-text", `“${question.text}”`);
      setText(
        "floor-question-to",
        t("floor.question_to", {
          asker: question.asker.name,
          respondent: [question.respondent.name, question.respondent.title].filter(Boolean).join(", "),
        }),
      );
    }
  }
  for (const topic of ["floor", "questions", "room"]) screen.watch(topic, render);
}

// The delegate's floor: ask with one tap (speak, debate with a named earlier speaker, a point of
// order), see one's place in the line and withdraw; the running turn and its timer (large when
// it is one's own). The question session: register a question to a respondent, follow one's
// questions, read the written answers.
import { speakerLine } from "./floor.js";
import { el, setText, t, toast } from "./ui.js";

function button(label, className, onClick, dataset = {}) {
  const element = el("button", { type: "button", className, dataset }, label);
  element.addEventListener("click", onClick);
  return element;
}

export function install(screen) {
  const { state, client } = screen;
  const floor = screen.features.floor;

  // -- asking for the floor (beside the attendance card, always in reach) ----------------------
  const card = el(
    "section",
    { className: "card floor-card", id: "floor-card", "aria-labelledby": "floor-label" },
    el("div", { className: "card-label", id: "floor-label" }, t("floor.title")),
    el(
      "div",
      { className: "floor-now", id: "floor-now", hidden: true },
      el("div", { className: "floor-now-label", id: "floor-now-label" }),
      el("div", { className: "floor-now-name", id: "floor-now-name" }),
      el("div", { className: "floor-timer", id: "floor-tablet-timer", dataset: { overtime: "false" } }),
    ),
    el("p", { className: "floor-closed muted", id: "floor-closed", hidden: true }, t("floor.list_closed")),
    el("ul", { className: "floor-mine", id: "floor-mine" }),
    el(
      "div",
      { className: "floor-ask", id: "floor-ask" },
      button(t("floor.ask.speak"), "btn btn-primary btn-lg", () => ask("speak"), { kind: "speak" }),
      button(t("floor.ask.debate"), "btn btn-lg", () => chooseDebate(), { kind: "debate" }),
      button(t("floor.ask.order"), "btn btn-lg", () => ask("order"), { kind: "order" }),
    ),
    el(
      "div",
      { className: "floor-debate", id: "floor-debate", hidden: true },
      el("div", { className: "field-name" }, t("floor.debate_with")),
      el("div", { className: "floor-debate-list", id: "floor-debate-list" }),
      button(t("floor.cancel"), "btn btn-ghost", () => (document.getElementById("floor-debate").hidden = true)),
    ),
  );
  // At the top of the content column, above the agenda, in reach at every moment; the side
  // column keeps the attendance and sign-out in view.
  const content = document.querySelector(".tablet-content");
  content.insertBefore(card, content.querySelector(".view-tabs"));
  floor.tick(document.getElementById("floor-tablet-timer"));

  function ask(kind, extra = {}) {
    document.getElementById("floor-debate").hidden = true;
    client
      .command("floor.request", { kind, ...extra })
      .then((answer) => toast(t("floor.asked", { place: answer.place }), { kind: "info" }))
      .catch(() => {});
  }

  function chooseDebate() {
    // Not one's own turns, by id: two delegates may share a name (a guest's is null).
    const spoken = floor.currentList().spoken.filter((turn) => turn.delegate_id !== state.me?.id);
    const box = document.getElementById("floor-debate");
    document.getElementById("floor-debate-list").replaceChildren(
      ...(spoken.length
        ? spoken.map((turn) =>
            button(turn.name, "btn btn-lg btn-block", () => ask("debate", { reply_to_turn_id: turn.turn_id }), {
              turnId: turn.turn_id,
            }),
          )
        : [el("p", { className: "muted" }, t("floor.nobody_spoke"))]),
    );
    box.hidden = false;
  }

  function render() {
    const list = floor.currentList();
    const me = state.me?.id;
    const turn = state.floor.turn;
    const mine = list.waiting.filter((entry) => entry.speaker.delegate_id === me);
    document.getElementById("floor-mine").replaceChildren(
      ...mine.map((entry) =>
        el(
          "li",
          { className: "floor-mine-item", dataset: { requestId: entry.id, kind: entry.kind, place: entry.place } },
          el(
            "span",
            { className: "floor-place" },
            t("floor.my_place", { kind: entry.kind_label, place: entry.place, total: list.waiting.length }),
          ),
          button(t("floor.withdraw"), "btn btn-ghost", () =>
            client.command("floor.withdraw", { request_id: entry.id }).catch(() => {}),
          ),
        ),
      ),
    );
    document.getElementById("floor-closed").hidden = !list.closed;
    const live = state.session?.status === "in_progress";
    for (const kind of ["speak", "debate", "order"]) {
      const ask = card.querySelector(`.floor-ask [data-kind="${kind}"]`);
      ask.disabled = !live || mine.some((entry) => entry.kind === kind) || (list.closed && kind !== "order");
    }
    const now = document.getElementById("floor-now");
    now.hidden = !turn;
    const speaking = Boolean(turn) && turn.speaker.delegate_id === me;
    card.dataset.speaking = speaking ? "true" : "false";
    if (turn) {
      setText("floor-now-label", speaking ? t("floor.you_speak") : t("floor.speaking", { kind: turn.kind_label }));
      setText("floor-now-name", speaking ? "" : `${turn.speaker.name} · ${speakerLine(turn.speaker)}`);
    }
  }
  screen.watch("floor", render);
  screen.watch("session", render);
  screen.watch("me", render);

  // -- the question session (a tab of its own) ---------------------------------------------------
  const tabs = document.querySelector(".view-tabs");
  const tab = el(
    "button",
    { type: "button", className: "view-tab", role: "tab", id: "tab-questions", "aria-selected": "false", "aria-controls": "questions-view" },
    t("questions.tab"),
  );
  tabs?.append(tab);
  const view = el(
    "section",
    { className: "card questions-card", id: "questions-view", role: "tabpanel", hidden: true },
    el("div", { className: "card-label" }, t("questions.title")),
    el(
      "form",
      { className: "question-form", id: "question-form" },
      el("label", { className: "field" }, el("span", { className: "field-name" }, t("questions.respondent")), el("select", { name: "respondent", id: "question-respondent", required: true })),
      el("label", { className: "field" }, el("span", { className: "field-name" }, t("questions.text")), el("textarea", { name: "text", id: "question-text", rows: 3, maxLength: 2000, required: true })),
      el("button", { type: "submit", className: "btn btn-primary btn-lg" }, t("questions.register")),
    ),
    el("div", { className: "card-label" }, t("questions.mine")),
    el("ol", { className: "question-list", id: "my-questions" }),
    el("div", { className: "card-label" }, t("questions.answers")),
    el("div", { className: "written-answers", id: "my-answers" }),
  );
  (document.getElementById("agenda-view")?.parentElement ?? document.body).append(view);
  tab.addEventListener("click", () => {
    for (const other of document.querySelectorAll(".view-tab")) other.setAttribute("aria-selected", other === tab ? "true" : "false");
    for (const panel of document.querySelectorAll(".tablet-content [role=tabpanel]")) panel.hidden = panel !== view;
  });
  for (const other of document.querySelectorAll(".view-tab")) {
    if (other !== tab) other.addEventListener("click", () => (view.hidden = true, tab.setAttribute("aria-selected", "false")));
  }
  document.getElementById("question-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = document.getElementById("question-text");
    client
      .command("question.register", {
        respondent_id: Number(document.getElementById("question-respondent").value),
        text: text.value,
      })
      .then(() => {
        text.value = "";
        toast(t("questions.registered"), { kind: "info" });
      })
      .catch(() => {});
  });

  let answers = [];
  screen.snapshot((data) => {
    answers = data.my_answers ?? [];
  });
  screen.on("written.answered", (data) => {
    answers = [...answers.filter((a) => a.id !== data.id), data];
    toast(t("questions.answer_came"), { kind: "info", timeout: 10000 });
    renderQuestions();
  });

  function renderQuestions() {
    const select = document.getElementById("question-respondent");
    const chosen = select.value;
    select.replaceChildren(
      ...state.questions.respondents.map((r) =>
        el("option", { value: r.guest_id }, [r.name, r.title].filter(Boolean).join(" — ")),
      ),
    );
    if (chosen) select.value = chosen;
    document.getElementById("question-form").hidden = state.questions.ended || !state.questions.respondents.length;
    const mine = state.questions.questions.filter((q) => q.asker.delegate_id === state.me?.id);
    document.getElementById("my-questions").replaceChildren(
      ...mine.map((q) =>
        el(
          "li",
          { dataset: { questionId: q.id, status: q.status } },
          el("div", { className: "question-text" }, q.text),
          el("div", { className: "muted" }, `${q.respondent.name} · ${q.status_label}`),
        ),
      ),
    );
    document.getElementById("my-answers").replaceChildren(
      ...answers.map((a) =>
        el(
          "article",
          { className: "written-answer", dataset: { questionId: a.id } },
          el("div", { className: "question-text" }, a.text),
          el("div", { className: "muted" }, a.respondent.name),
          el("p", { className: "answer-text" }, a.answer_text),
          a.answer_pdf_url ? el("a", { href: a.answer_pdf_url, target: "_blank", rel: "noopener", className: "btn" }, t("questions.answer_pdf")) : null,
        ),
      ),
    );
  }
  screen.watch("questions", renderQuestions);
  screen.watch("me", renderQuestions);
}

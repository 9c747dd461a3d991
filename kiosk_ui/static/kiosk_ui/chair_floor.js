// The console's floor (a tab of its own): the running turn with its timer (pause, resume, add
// time, end), the line of speakers live (give the floor, "next", move up or down, remove), adding
// a delegate who raised a hand or an invited guest, closing the list, the item's speaking
// times; and the question session: the order, calling questions, answer, debate, finishing,
// a question on paper, the end of question time with the written answers' due date.
import { speakerLine } from "./floor.js";
import { el, setText, t } from "./ui.js";

const KINDS = ["speak", "debate", "order", "question", "answer"];

function button(label, className, onClick, extra = {}) {
  const element = el("button", { type: "button", className, ...extra }, label);
  element.addEventListener("click", onClick);
  return element;
}

export function install(screen) {
  const { state, client } = screen;
  const floor = screen.features.floor;
  const send = (type, data = {}) => client.command(type, data).catch(() => {});

  const tab = el(
    "button",
    { type: "button", className: "tab", role: "tab", id: "tab-floor", "aria-selected": "false", "aria-controls": "floor-panel", dataset: { panel: "floor-panel" } },
    t("floor.title"),
    el("span", { className: "tab-badge", id: "tab-floor-badge", hidden: true }),
  );
  document.querySelector(".tabs")?.append(tab);
  const select = (id) => el("select", { id });
  const panel = el(
    "section",
    { className: "card floor-panel", id: "floor-panel", role: "tabpanel", "aria-labelledby": "tab-floor", hidden: true },
    el(
      "div",
      { className: "floor-turn", id: "floor-turn", dataset: { running: "false" } },
      el("div", { className: "floor-turn-who" },
        el("div", { className: "card-label", id: "floor-turn-kind" }, t("floor.nobody")),
        el("div", { className: "floor-turn-name", id: "floor-turn-name" }),
        el("div", { className: "muted", id: "floor-turn-detail" })),
      el("div", { className: "floor-timer floor-timer-console", id: "floor-console-timer", dataset: { overtime: "false" } }),
      el("div", { className: "floor-turn-buttons" },
        button(t("floor.pause"), "btn", () => send(state.floor.turn?.paused ? "floor.resume" : "floor.pause"), { id: "floor-pause" }),
        button(t("floor.add30"), "btn", () => send("floor.add_time", { seconds: 30 }), { id: "floor-add30" }),
        button(t("floor.add60"), "btn", () => send("floor.add_time", { seconds: 60 }), { id: "floor-add60" }),
        button(t("floor.end"), "btn btn-danger", () => send("floor.end"), { id: "floor-end" })),
    ),
    el(
      "div",
      { className: "floor-line-head" },
      el("div", { className: "card-label", id: "floor-line-label" }),
      button(t("floor.next"), "btn btn-primary btn-lg", () => send("floor.next"), { id: "floor-next-button" }),
      button(t("floor.close"), "btn", () => send(floor.currentList().closed ? "floor.reopen" : "floor.close"), { id: "floor-close" }),
    ),
    el("ol", { className: "floor-line", id: "floor-line" }),
    el(
      "div",
      { className: "floor-add" },
      el("label", { className: "field" }, el("span", { className: "field-name" }, t("floor.add_delegate")), select("floor-add-delegate")),
      el("select", { id: "floor-add-kind" }, ...["speak", "order"].map((k) => el("option", { value: k }, t(`floor.kind.${k}`)))),
      button(t("floor.add"), "btn", () => {
        const id = Number(document.getElementById("floor-add-delegate").value);
        if (id) send("floor.add", { delegate_id: id, kind: document.getElementById("floor-add-kind").value });
      }, { id: "floor-add-button" }),
      el("label", { className: "field" }, el("span", { className: "field-name" }, t("floor.add_guest")), select("floor-add-guest")),
      button(t("floor.add"), "btn", () => {
        const id = Number(document.getElementById("floor-add-guest").value);
        if (id) send("floor.add", { guest_id: id, kind: "speak" });
      }, { id: "floor-add-guest-button" }),
    ),
    el(
      "div",
      { className: "floor-limits" },
      el("span", { className: "field-name" }, t("floor.limits")),
      el("select", { id: "floor-limit-kind" }, ...KINDS.map((k) => el("option", { value: k }, t(`floor.kind.${k}`)))),
      el("input", { type: "number", id: "floor-limit-minutes", min: "0.5", max: "60", step: "0.5" }),
      el("span", {}, t("floor.minutes")),
      button(t("floor.apply"), "btn", () => {
        const minutes = Number(document.getElementById("floor-limit-minutes").value);
        send("floor.limit", {
          kind: document.getElementById("floor-limit-kind").value,
          seconds: Math.round(minutes * 60),
          agenda_item_id: state.session?.current_item_id,
        });
      }, { id: "floor-limit-apply" }),
    ),
    el("h3", { className: "card-label floor-questions-label" }, t("questions.title")),
    el(
      "div",
      { className: "floor-question-tools" },
      el("select", { id: "question-order" },
        el("option", { value: "registration" }, t("questions.order.registration")),
        el("option", { value: "respondent" }, t("questions.order.respondent"))),
      button(t("questions.call"), "btn btn-primary", () => send("question.call"), { id: "question-call" }),
      button(t("questions.answer"), "btn", () => send("question.answer"), { id: "question-answer" }),
      button(t("questions.debate"), "btn", () => send("question.debate"), { id: "question-debate" }),
      button(t("questions.finish"), "btn", () => send("question.finish"), { id: "question-finish" }),
    ),
    el("ol", { className: "question-list", id: "question-list" }),
    el(
      "div",
      { className: "floor-question-end" },
      el("label", { className: "field" }, el("span", { className: "field-name" }, t("questions.due")), el("input", { type: "date", id: "question-due" })),
      button(t("questions.end"), "btn btn-danger", () => {
        const due = document.getElementById("question-due").value;
        if (due) send("question.time_end", { due_date: due });
      }, { id: "question-end" }),
    ),
    el(
      "details",
      { className: "floor-paper" },
      el("summary", {}, t("questions.paper")),
      el("label", { className: "field" }, el("span", { className: "field-name" }, t("questions.asker")), select("paper-asker")),
      el("label", { className: "field" }, el("span", { className: "field-name" }, t("questions.respondent")), select("paper-respondent")),
      el("label", { className: "field" }, el("span", { className: "field-name" }, t("questions.text")), el("textarea", { id: "paper-text", rows: 2, maxLength: 2000 })),
      button(t("questions.register"), "btn", () => {
        const text = document.getElementById("paper-text");
        client
          .command("question.register", {
            asker_id: Number(document.getElementById("paper-asker").value),
            respondent_id: Number(document.getElementById("paper-respondent").value),
            text: text.value,
          })
          .then(() => (text.value = ""))
          .catch(() => {});
      }, { id: "paper-register" }),
    ),
  );
  const host = document.getElementById("roster-panel")?.parentElement ?? document.body;
  host.append(panel);
  // The tabs feature knows the tabs of the template; this one joins them here.
  function choose(on) {
    panel.hidden = !on;
    tab.setAttribute("aria-selected", on ? "true" : "false");
    tab.classList.toggle("active", on);
  }
  tab.addEventListener("click", () => {
    screen.features.tabs?.showTab?.("tab-floor");
    choose(true);
  });
  for (const other of document.querySelectorAll(".tabs .tab")) {
    if (other !== tab) other.addEventListener("click", () => choose(false));
  }
  document.getElementById("question-order").addEventListener("change", (event) =>
    send("question.order", { order: event.target.value }),
  );
  floor.tick(document.getElementById("floor-console-timer"));
  const due = new Date(Date.now() + 15 * 86400000);
  document.getElementById("question-due").value = due.toISOString().slice(0, 10);

  function reorder(ids, from, to) {
    const order = [...ids];
    const [moved] = order.splice(from, 1);
    order.splice(to, 0, moved);
    send("floor.reorder", { request_ids: order, agenda_item_id: state.session?.current_item_id });
  }

  function renderFloor() {
    const turn = state.floor.turn;
    const list = floor.currentList();
    document.getElementById("floor-turn").dataset.running = turn ? "true" : "false";
    setText("floor-turn-kind", turn ? turn.kind_label : t("floor.nobody"));
    setText("floor-turn-name", turn ? turn.speaker.name : "");
    setText("floor-turn-detail", turn ? [speakerLine(turn.speaker), turn.reply_to ? t("floor.reply_to", { name: turn.reply_to.name }) : ""].filter(Boolean).join(" · ") : "");
    for (const id of ["floor-pause", "floor-add30", "floor-add60", "floor-end"]) document.getElementById(id).disabled = !turn;
    setText("floor-pause", turn?.paused ? t("floor.resume") : t("floor.pause"));
    setText("floor-line-label", t("floor.line", { count: list.waiting.length }));
    setText("floor-close", list.closed ? t("floor.reopen") : t("floor.close"));
    document.getElementById("floor-next-button").disabled = !list.waiting.length;
    const badge = document.getElementById("tab-floor-badge");
    badge.hidden = !list.waiting.length;
    badge.textContent = String(list.waiting.length);
    const ids = list.waiting.map((entry) => entry.id);
    document.getElementById("floor-line").replaceChildren(
      ...list.waiting.map((entry, index) =>
        el(
          "li",
          { className: "floor-line-item", dataset: { requestId: entry.id, kind: entry.kind } },
          el("span", { className: "floor-line-place" }, String(entry.place)),
          el("span", { className: "floor-line-who" },
            el("b", {}, entry.speaker.name),
            el("span", { className: "muted" }, ` · ${entry.kind_label}${entry.reply_to ? ` — ${t("floor.reply_to", { name: entry.reply_to.name })}` : ""}`)),
          button("↑", "btn btn-ghost", () => reorder(ids, index, index - 1), { disabled: index === 0, "aria-label": t("floor.up") }),
          button("↓", "btn btn-ghost", () => reorder(ids, index, index + 1), { disabled: index === ids.length - 1, "aria-label": t("floor.down") }),
          button(t("floor.give"), "btn btn-primary", () => send("floor.give", { request_id: entry.id }), { className: "btn btn-primary floor-give" }),
          button(t("floor.remove"), "btn btn-ghost", () => send("floor.withdraw", { request_id: entry.id })),
        ),
      ),
    );
    const limits = list.limits ?? {};
    const kind = document.getElementById("floor-limit-kind").value;
    const minutes = document.getElementById("floor-limit-minutes");
    if (document.activeElement !== minutes && limits[kind]) minutes.value = String(limits[kind] / 60);
    // Delegates present, for the chair to add one who raised a hand.
    const present = [...(state.roster?.values?.() ?? [])].filter((d) => d.status === "present");
    fill("floor-add-delegate", present.map((d) => [d.id, `${d.seat} · ${d.full_name}`]));
    fill("paper-asker", [...(state.roster?.values?.() ?? [])].map((d) => [d.id, `${d.seat} · ${d.full_name}`]));
  }

  function fill(id, options) {
    const box = document.getElementById(id);
    const chosen = box.value;
    box.replaceChildren(...options.map(([value, label]) => el("option", { value }, label)));
    if (chosen) box.value = chosen;
  }

  function renderQuestions() {
    const q = state.questions;
    document.getElementById("question-order").value = q.order;
    const guests = q.respondents.map((r) => [r.guest_id, [r.name, r.title].filter(Boolean).join(" — ")]);
    fill("floor-add-guest", guests);
    fill("paper-respondent", guests);
    const byId = new Map(q.questions.map((item) => [item.id, item]));
    const shown = [...q.call_order.map((id) => byId.get(id)), ...q.questions.filter((item) => !q.call_order.includes(item.id))];
    document.getElementById("question-list").replaceChildren(
      ...shown.filter(Boolean).map((item) =>
        el(
          "li",
          { dataset: { questionId: item.id, status: item.status } },
          el("b", {}, `${item.asker.name} → ${item.respondent.name}`),
          el("span", { className: "muted" }, ` · ${item.status_label}`),
          el("div", { className: "question-text" }, item.text),
          item.status === "registered"
            ? button(t("questions.call_this"), "btn btn-ghost", () => send("question.call", { question_id: item.id }))
            : null,
        ),
      ),
    );
    const called = q.questions.some((item) => item.status === "called");
    document.getElementById("question-call").disabled = q.ended || called || !q.call_order.length;
    for (const id of ["question-answer", "question-debate", "question-finish"]) document.getElementById(id).disabled = !called;
    document.getElementById("question-end").disabled = q.ended;
  }
  screen.watch("floor", renderFloor);
  screen.watch("roster", renderFloor);
  screen.watch("session", renderFloor);
  screen.watch("questions", renderQuestions);
  document.getElementById("floor-limit-kind").addEventListener("change", renderFloor);
}

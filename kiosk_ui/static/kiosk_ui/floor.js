// The floor as every screen knows it (installed after the sitting, before the screen's own
// floor feature): each item's list of speakers, the running turn and its timer, the question
// session — from the snapshot, then from floor.changed (the requests that changed, each as it
// now is: put in its place by rank and position, or taken out) and questions.changed. Tells the
// features "floor" and "questions".
//
// The timer is the server's: a turn carries elapsed_seconds as the server computed it; the
// screen counts on from the moment the frame arrived (performance.now(), never its own wall
// clock), so a reconnect or a snapshot shows the right time and a skewed tablet clock does not
// matter. Below zero is overtime: counted up, drawn red (data-overtime).
import { everyTick, formatClock } from "./clock.js";
import { t } from "./ui.js";

/** The running turn with the moment its figures were taken (null: nobody speaks). */
function timerOf(turn) {
  return turn ? { turn, at: performance.now() } : null;
}

/** Seconds left of the turn (negative: over time). */
export function remainingOf(timer) {
  const { turn, at } = timer;
  const elapsed = turn.elapsed_seconds + (turn.paused ? 0 : (performance.now() - at) / 1000);
  return turn.limit_seconds + turn.added_seconds - elapsed;
}

/** "4:59" counting down, "+0:12" counting up over time; the element says which. */
export function drawTimer(element, timer) {
  if (!element) return;
  if (!timer) {
    element.textContent = "";
    element.dataset.overtime = "false";
    element.dataset.paused = "false";
    return;
  }
  const left = remainingOf(timer);
  const text = left < 0 ? `+${formatClock(-left)}` : formatClock(left);
  if (element.textContent !== text) element.textContent = text;
  element.dataset.overtime = left < 0 ? "true" : "false";
  element.dataset.paused = timer.turn.paused ? "true" : "false";
  element.dataset.seconds = String(Math.round(left));
}

/** The speaker as a line: a delegate with their seat, a guest with title and agency. */
export function speakerLine(speaker) {
  if (!speaker) return "";
  if (speaker.delegate_id !== null) return speaker.seat ? t("floor.seat", { seat: speaker.seat }) : speaker.title;
  return [speaker.title, speaker.agency].filter(Boolean).join(" · ");
}

export function install(screen) {
  const { state } = screen;
  state.floor = { lists: {}, turn: null, timer: null };
  state.questions = { order: "registration", ended: false, questions: [], call_order: [], respondents: [] };

  function currentList() {
    const id = state.session?.current_item_id;
    return (id && state.floor.lists[String(id)]) || { agenda_item_id: id, closed: false, waiting: [], spoken: [], limits: {} };
  }

  /** An event's requests, each as it now is: out of the line, back in if it still waits. */
  function applyChange(change) {
    const key = String(change.agenda_item_id);
    const known = new Map((state.floor.lists[key]?.waiting ?? []).map((r) => [r.id, r]));
    for (const request of change.requests) {
      known.delete(request.id);
      if (request.status === "waiting") known.set(request.id, request);
    }
    const waiting = [...known.values()]
      .sort((a, b) => a.rank - b.rank || a.position - b.position)
      .map((request, index) => ({ ...request, place: index + 1 }));
    if (waiting.length !== change.waiting_count) {
      // Never guess: the server's line differs from ours, so take its whole state.
      screen.client.resync?.();
    }
    const { requests, waiting_count, ...rest } = change;
    state.floor.lists[key] = { ...rest, waiting };
  }

  screen.snapshot((data) => {
    state.floor = { lists: { ...data.floor.lists }, turn: data.floor.turn, timer: timerOf(data.floor.turn) };
    state.questions = data.questions;
    screen.changed("floor");
    screen.changed("questions");
  });
  screen.on("floor.changed", (data) => {
    if (data.list) applyChange(data.list);
    state.floor.turn = data.turn;
    state.floor.timer = timerOf(data.turn);
    screen.changed("floor");
  });
  screen.on("questions.changed", (data) => {
    state.questions = data;
    screen.changed("questions");
  });
  // The agenda moved: the screens show the new item's list.
  screen.on("agenda.current", () => screen.changed("floor"));

  const ticking = [];
  everyTick(() => {
    for (const element of ticking) drawTimer(element, state.floor.timer);
  });

  return {
    currentList,
    /** Keep this element showing the running turn's time, four times a second. */
    tick(element) {
      ticking.push(element);
      drawTimer(element, state.floor.timer);
    },
  };
}

// Time on the screens: countdowns and the wall clock.
//
// A countdown runs locally from the seconds left that a payload carried (`remaining_seconds`),
// counted from the moment it arrived on the monotonic clock (performance.now()): the tablet's
// own wall clock may be minutes off the server's, and is never asked. One timer drives every
// countdown of the page, four times a second.

/** The monotonic moment `seconds` from now (null: no countdown). */
export function deadlineIn(seconds) {
  if (seconds === null || seconds === undefined) return null;
  return performance.now() + seconds * 1000;
}

/** Seconds left until a deadline of deadlineIn (null: no countdown), never below zero. */
export function secondsLeft(deadline) {
  if (deadline === null || deadline === undefined) return null;
  return Math.max(0, (deadline - performance.now()) / 1000);
}

/** 75 → "1:15", 3725 → "1:02:05" (whole seconds, rounded up: "0:00" only at the end). */
export function formatClock(seconds) {
  const whole = Math.ceil(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

const tickers = new Set();
/** Call `callback` four times a second (countdowns); returns a function that stops it. */
export function everyTick(callback) {
  tickers.add(callback);
  return () => tickers.delete(callback);
}
setInterval(() => {
  for (const callback of tickers) {
    try {
      callback();
    } catch (error) {
      console.error("ticker failed", error);
    }
  }
}, 250);

/** The time of day (hours and minutes) in element `id`, in the page's language. */
export function wallClock(id) {
  const show = () => {
    const element = document.getElementById(id);
    const text = new Date().toLocaleTimeString(document.documentElement.lang || "vi", { hour: "2-digit", minute: "2-digit" });
    if (element && element.textContent !== text) element.textContent = text;
  };
  show();
  setInterval(show, 10000);
}

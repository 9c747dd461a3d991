// What a tablet keeps in the browser's storage, read and written in one way: JSON values under
// "chamber.*" keys; a storage that is full or disabled (private mode) loses the value, never
// the screen. Ballots (receipts, command ids, unsent ballots: "chamber.receipts.<delegate>",
// "chamber.ballot.pending.<delegate>.<poll>") are wiped at sign-out and on the sign-in page.

/** The JSON value under `key`, or `fallback` if there is none or it cannot be read. */
export function readJSON(key, fallback, storage = localStorage) {
  try {
    const value = storage.getItem(key);
    return value === null ? fallback : JSON.parse(value);
  } catch {
    return fallback;
  }
}

/** Keep `value` as JSON under `key`; null removes it. */
export function writeJSON(key, value, storage = localStorage) {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(value));
  } catch (error) {
    console.error("storage failed", error);
  }
}

/** Forget every ballot kept on this tablet (all delegates' but `keep`'s): ids, receipts. */
export function forgetBallots(keep = null) {
  try {
    const mine = keep === null ? [] : [`chamber.receipts.${keep}`, `chamber.ballot.pending.${keep}.`];
    for (const key of Object.keys(localStorage)) {
      const ballot = key.startsWith("chamber.receipts.") || key.startsWith("chamber.ballot.");
      if (ballot && !mine.some((prefix) => key === prefix || (prefix.endsWith(".") && key.startsWith(prefix)))) {
        localStorage.removeItem(key);
      }
    }
  } catch (error) {
    console.error("localStorage failed", error);
  }
}

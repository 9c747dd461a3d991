// What the room's projector shows, decided in one place for the projector and the console, from
// the server's state alone (docs/protocol.md: what the room is shown is one state):
// the closing screen once the sitting is closed; a vote while it is open or waits for its
// result; else the page shown to the room; else a vote's result on its agenda item; else the
// agenda. The server takes the page down when the agenda moves, a result is published, a vote
// is cancelled or the sitting closes, so every screen agrees on what the room sees.

/** {view: "closed"|"poll"|"document"|"agenda", poll: featured entry or null, page} */
export function roomView({ session, polls, presentation }) {
  if (session?.status === "closed") return { view: "closed", poll: null, page: null };
  const poll = polls.featured(session?.current_item_id ?? null);
  const voting = Boolean(poll) && (poll.poll.status === "open" || poll.poll.status === "closed");
  const page = !voting && presentation?.document ? presentation : null;
  return { view: voting ? "poll" : page ? "document" : poll ? "poll" : "agenda", poll, page, voting };
}

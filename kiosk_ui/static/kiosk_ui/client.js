// Chamber real-time client: the connection of the tablet, the console and the projector.
//
// It implements docs/protocol.md: one WebSocket per screen; a `snapshot` replaces the state;
// events advance `seq` by one (a gap asks for a new snapshot); notices keep `seq`; every
// command carries a unique id and is answered by `ack` or `error` with that id. The socket
// reconnects by itself with a growing, jittered delay. The state it knows is mirrored on
// <body> as data attributes (data-connection, data-seq) so that tests can wait for changes.
//
// A screen does not make its client itself: screen.js does, and routes the snapshot and the
// events to the screen's features (how a screen composes its features is written there).

import { block, t, toast } from "./ui.js";

// Close codes after which reconnecting cannot help (docs/protocol.md, "Endpoints").
const REFUSALS = new Set([4401, 4403, 4404]);
const COMMAND_TIMEOUT_MS = 15000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 15000;

/**
 * A command id: a random UUID (v4). Unguessable, as ballots require (docs/protocol.md).
 * crypto.randomUUID needs a secure context; tablets on the room network may use plain http,
 * where crypto.getRandomValues still works.
 */
export function commandId() {
  if (window.isSecureContext && crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class CommandError extends Error {
  /** `retryable`: the server failed inside the command (`server.error`); nothing was done and
   * the same command, with the same id, may be sent again. */
  constructor(code, message, retryable = false) {
    super(message);
    this.code = code;
    this.retryable = retryable;
  }
}

/**
 * One screen's connection.
 *
 * options.path        WebSocket path, e.g. "/ws/tablet/3/"
 * options.onSnapshot  (data, seq) => void: replace the whole state
 * options.handlers    {"agenda.current": (data, frame) => void, ...}: events and notices
 * options.onRefused   (code) => void: the server closed with 4401/4403/4404
 * options.onStatus    (state) => void: "connecting" | "open" | "closed" | "ended"
 * options.idleCheckMs after this long without any frame, ask for a snapshot: a link that died
 *                     silently (no close event) then shows, as the request goes unanswered
 */
export class ChamberClient {
  constructor({ path, onSnapshot, handlers = {}, onRefused, onStatus, idleCheckMs = 0 }) {
    this.path = path;
    this.onSnapshot = onSnapshot;
    this.handlers = handlers;
    this.onRefused = onRefused;
    this.onStatus = onStatus;
    this.seq = null;
    this.socket = null;
    this.state = "closed";
    this.attempts = 0;
    this.retryTimer = null;
    this.ended = false;
    this.resyncing = false;
    this.pending = new Map();
    this.lastFrameAt = Date.now();
    if (idleCheckMs > 0) {
      setInterval(() => {
        if (this.state === "open" && Date.now() - this.lastFrameAt >= idleCheckMs) this.resync();
      }, idleCheckMs / 2);
    }
    window.addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.reconnectNow();
    });
  }

  get url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${this.path}`;
  }

  start() {
    this.connect();
    return this;
  }

  connect() {
    if (this.ended) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setState(this.attempts === 0 ? "connecting" : "closed");
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch (error) {
      console.error("WebSocket failed", error);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.addEventListener("message", (event) => {
      if (socket === this.socket) this.receive(event.data);
    });
    socket.addEventListener("close", (event) => {
      if (socket === this.socket) this.closed(event.code);
    });
  }

  /** Reconnect at once if we are waiting to (the network came back, the screen woke up). */
  reconnectNow() {
    if (this.ended || this.retryTimer === null) return;
    this.attempts = Math.max(0, this.attempts - 1);
    this.connect();
  }

  scheduleReconnect() {
    if (this.ended) return;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempts);
    const delay = base * (0.75 + Math.random() * 0.5);
    this.attempts += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  closed(code) {
    this.socket = null;
    this.resyncing = false;
    if (REFUSALS.has(code)) {
      this.ended = true;
      this.setState("ended");
      for (const command of this.pending.values()) {
        clearTimeout(command.timer);
        command.reject(new CommandError("connection.closed", t(`closed.${code}`)));
      }
      this.pending.clear();
      if (this.onRefused) this.onRefused(code);
      else block(t(`closed.${code}`));
      return;
    }
    this.setState("closed");
    this.scheduleReconnect();
  }

  /** Drop this socket and start again (a command went unanswered: the link may be dead). */
  restart() {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    try {
      socket.close();
    } catch {
      // already closing
    }
    this.setState("closed");
    this.scheduleReconnect();
  }

  setState(state) {
    this.state = state;
    document.body.dataset.connection = state === "open" ? "open" : state === "connecting" ? "connecting" : "closed";
    const indicator = document.getElementById("connection");
    if (indicator) {
      const label = {
        open: t("conn.open"),
        connecting: t("conn.connecting"),
        closed: t("conn.reconnecting"),
        ended: t("conn.ended"),
      }[state];
      indicator.dataset.state = state;
      indicator.title = label;
      const text = indicator.querySelector(".conn-label");
      if (text) text.textContent = label;
    }
    if (this.onStatus) this.onStatus(state);
  }

  receive(text) {
    this.lastFrameAt = Date.now();
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      console.error("not JSON", text);
      return;
    }
    const { type, id, seq, data = {} } = frame;
    if (type === "snapshot") {
      this.seq = seq;
      this.attempts = 0;
      this.resyncing = false;
      this.onSnapshot(data, seq);
      this.mirrorSeq();
      if (this.state !== "open") {
        this.setState("open");
        this.resendPending();
      }
      return;
    }
    if (type === "ack" || type === "error") {
      this.answer(id, type, data);
      return;
    }
    if (this.seq === null) return; // nothing to apply an event to before the first snapshot
    // Notices go to a narrower audience and keep `seq`; the server marks them (docs/protocol.md,
    // "Notices"). They are applied whatever their `seq`: one built in a concurrent transaction
    // may carry an older one.
    if (frame.notice === true) {
      this.dispatch(type, data, frame);
      return;
    }
    if (typeof seq !== "number") return;
    if (seq > this.seq + 1) {
      this.resync();
      return;
    }
    if (seq < this.seq) return; // older than what we show: the snapshot already had it
    // seq === last + 1 is the next event; seq === last is a repeat (harmless).
    this.seq = seq;
    this.dispatch(type, data, frame);
    this.mirrorSeq();
  }

  dispatch(type, data, frame) {
    const handler = this.handlers[type];
    if (!handler) return;
    try {
      handler(data, frame);
    } catch (error) {
      console.error(`handler of ${type} failed`, error);
      this.resync();
    }
  }

  mirrorSeq() {
    document.body.dataset.seq = String(this.seq);
  }

  /** We missed something: take a new snapshot as the truth. */
  resync() {
    if (this.resyncing) return;
    this.resyncing = true;
    this.command("snapshot.request", {}, { quiet: true })
      .catch(() => {})
      .finally(() => {
        this.resyncing = false;
      });
  }

  /**
   * Send a command; resolves with the ack's data, rejects with a CommandError. Unless
   * `quiet`, an error is shown to the user in a toast with the server's message. `id` sends it
   * under an id of the caller's (a ballot sent again keeps its id, so it counts once); while a
   * command with that id is still waiting, its promise is given back instead of a second send.
   */
  command(type, data = {}, { quiet = false, id: givenId = null } = {}) {
    const id = givenId ?? commandId();
    const waiting = this.pending.get(id);
    if (waiting) return waiting.promise;
    const frame = JSON.stringify({ type, id, seq: null, data });
    if (this.state !== "open") {
      // Refuse at once rather than act minutes later; commands already in flight when the
      // link dropped are sent again on reconnect (same id: done at most once).
      const refused = Promise.reject(new CommandError("command.offline", t("command.offline")));
      if (!quiet) refused.catch((error) => toast(error.message));
      return refused;
    }
    const promise = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CommandError("command.timeout", t("command.timeout")));
        if (type === "snapshot.request") this.restart();
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, { frame, resolve, reject, timer, sent: false });
    });
    this.pending.get(id).promise = promise;
    this.sendPending(id);
    if (!quiet) {
      promise.catch((error) => toast(error.message || String(error)));
    }
    return promise;
  }

  sendPending(id) {
    const command = this.pending.get(id);
    if (!command || !this.socket || this.state !== "open") return;
    try {
      this.socket.send(command.frame);
      command.sent = true;
    } catch (error) {
      console.error("send failed", error);
    }
  }

  /** After a reconnect: send again what got no answer. The same id makes that harmless. */
  resendPending() {
    for (const id of this.pending.keys()) this.sendPending(id);
  }

  answer(id, type, data) {
    const command = this.pending.get(id);
    if (!command) return;
    this.pending.delete(id);
    clearTimeout(command.timer);
    if (type === "ack") command.resolve(data);
    else command.reject(new CommandError(data.code, data.message || data.code, data.retryable === true));
  }
}

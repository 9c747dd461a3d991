// How a screen is put together: the one way the tablet, the console and the projector compose
// their features.
//
// A feature is a module that exports `install(screen)`. Install finds its elements, registers
// what it does and returns its API (or nothing):
//   screen.snapshot(part)       part(data, seq): its share of every snapshot (the new truth)
//   screen.on(type, handler)    handler(data, frame) for an event or notice of docs/protocol.md;
//                               "poll.*" matches every poll event. Several features may handle
//                               one type: they run in the order the features were installed.
//   screen.watch(topic, fn)     fn() when another feature says `screen.changed(topic)`: what
//                               the features share changed ("session", "me", "roster", "room")
//   screen.state                what the features share: session and agenda (sitting.js, always
//                               installed first), then what each adds (polls, roster, ...)
//   screen.client               the connection (client.js): screen.client.command(type, data)
//   screen.features.<name>      the API of a feature installed before this one
// The screen's entry file (tablet.js, chair.js, projector.js) makes the screen, lists its
// features in order (each a module imported whole: import * as voting) and starts it:
//   createScreen({ path: body.dataset.wsPath, onRefused })
//     .install({ sitting, agenda, voting, reader })
//     .start();
// A new feature (the floor's speakers, say) is one module with `install` per screen and one
// entry in each screen's list; the client and the other features stay as they are. A feature
// that shows something of the room's wall on the console or projector goes before `room`.
import { ChamberClient } from "./client.js";

export function createScreen({ path, idleCheckMs = 0, onRefused, state = {} }) {
  const routes = []; // [{type, handler}], in the order they were registered
  const parts = [];
  const watchers = new Map();
  const matches = (pattern, type) =>
    pattern === type || (pattern.endsWith(".*") && type.startsWith(pattern.slice(0, -1)));

  // The client asks for `handlers[type]`: every handler registered for that type, in order.
  const handlers = new Proxy(
    {},
    {
      get(_, type) {
        if (typeof type !== "string") return undefined;
        const chosen = routes.filter((route) => matches(route.type, type));
        if (!chosen.length) return undefined;
        return (data, frame) => {
          for (const route of chosen) route.handler(data, frame);
        };
      },
    },
  );

  const client = new ChamberClient({
    path,
    idleCheckMs,
    handlers,
    onRefused,
    onSnapshot(data, seq) {
      for (const part of parts) part(data, seq);
    },
  });

  const screen = {
    client,
    state,
    features: {},
    on(type, handler) {
      routes.push({ type, handler });
    },
    snapshot(part) {
      parts.push(part);
    },
    watch(topic, fn) {
      if (!watchers.has(topic)) watchers.set(topic, []);
      watchers.get(topic).push(fn);
    },
    changed(topic) {
      for (const fn of watchers.get(topic) ?? []) fn();
    },
    /** Install features in order: {name: module with install(screen)}. */
    install(features) {
      for (const [name, feature] of Object.entries(features)) {
        screen.features[name] = feature.install(screen) ?? {};
      }
      return screen;
    },
    start() {
      // For the browser tests and for looking around in the developer tools.
      window.chamber = { client, state, ...screen.features };
      client.start();
      return screen;
    },
  };
  return screen;
}

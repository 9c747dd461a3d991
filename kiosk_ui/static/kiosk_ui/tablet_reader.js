// The tablet's documents: the session's documents by agenda item and search across them
// (tablet_library.js), the reader (reader_page.js), private notes per page (tablet_notes.js),
// and "follow the presenter".
//
// Follow mode is on by default: when the console shows a page to the room (`document.shown`,
// or a snapshot's `presentation`) the reader opens it. A delegate who goes elsewhere themself
// (turns a page, opens another document, leaves the reader) leaves follow mode; the "return"
// button then takes them to the page being shown and turns follow mode on again.
//
// State mirrored for tests: <section id="reader" data-document-id data-page data-follow
// data-image-page data-zoom>, <body data-view data-follow>.
import { accessBadge } from "./documents.js";
import { PageViewer } from "./reader_page.js";
import { readerLibrary } from "./tablet_library.js";
import { readerNotes } from "./tablet_notes.js";
import { readJSON, writeJSON } from "./tablet_storage.js";
import { setText, t, toast } from "./ui.js";

function $(id) {
  return document.getElementById(id);
}

export function install(screen) {
  const { client, state } = screen;
  const { delegateId, sessionId } = document.body.dataset;
  const body = document.body;
  const reader = $("reader");
  const main = document.querySelector(".tablet-main");
  const placeKey = `chamber.reader.${delegateId}.${sessionId}`;
  const saved = readJSON(placeKey, {}, sessionStorage);

  const docs = { list: [], byId: new Map() }; // snapshot order
  const view = { name: "agenda", documentId: null, page: 1 };
  const lastPage = new Map(); // where the delegate was in each document
  const follow = { on: saved.follow ?? true, target: null }; // target: {documentId, page}
  let started = false;

  const viewer = new PageViewer({
    elements: {
      reader,
      viewport: $("page-viewport"),
      sizer: $("page-sizer"),
      image: $("page-image"),
      state: $("page-state"),
      thumbs: $("thumbs"),
      zoomIn: $("zoom-in"),
      zoomOut: $("zoom-out"),
      zoomReset: $("zoom-reset"),
    },
    onTurn: (delta) => go(view.page + delta),
    onPick: (page) => go(page),
  });

  const notes = readerNotes({
    client,
    delegateId,
    view,
    viewer,
    go,
    catchUp,
    renderLibrary: () => library.render(),
  });
  const library = readerLibrary({
    state,
    sessionId,
    docs,
    presented: () => follow.target?.documentId ?? null,
    notePages: notes.pages,
    open,
    lastPage,
  });

  // -- where the delegate is ----------------------------------------------------------------
  function persist() {
    writeJSON(placeKey, {
      view: view.name,
      documentId: view.documentId,
      page: view.page,
      follow: follow.on,
    }, sessionStorage);
  }

  function atTarget() {
    const target = follow.target;
    return Boolean(target && view.name === "reader" && view.documentId === target.documentId && view.page === target.page);
  }

  /** The delegate goes somewhere the presenter is not: follow mode ends. */
  function leaveFollow(documentId, page) {
    const target = follow.target;
    if (follow.on && target && (documentId !== target.documentId || page !== target.page)) follow.on = false;
  }

  function setView(name, { by = "user" } = {}) {
    if (by === "user" && name !== "reader") leaveFollow(null, null);
    if (view.name === "reader" && name !== "reader") notes.flush();
    view.name = name;
    body.dataset.view = name;
    main.hidden = name === "reader";
    reader.hidden = name !== "reader";
    $("agenda-view").hidden = name !== "agenda";
    $("library").hidden = name !== "documents";
    for (const tab of document.querySelectorAll(".view-tab")) {
      const on = tab.dataset.view === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.classList.toggle("active", on);
    }
    if (name === "reader") viewer.layout();
    renderFollow();
    persist();
  }

  /** Open `page` of a document. `by`: "user", "presenter" or "restore". */
  function open(documentId, page, { by = "user" } = {}) {
    const doc = docs.byId.get(documentId);
    if (!doc) return false;
    const number = Math.min(doc.pages, Math.max(1, Math.round(page) || 1));
    if (by === "user") leaveFollow(documentId, number);
    const moved = view.documentId !== documentId || view.page !== number || view.name !== "reader";
    if (moved) notes.flush();
    const newDocument = view.documentId !== documentId;
    view.documentId = documentId;
    view.page = number;
    lastPage.set(documentId, number);
    if (view.name !== "reader") setView("reader", { by: "system" });
    reader.dataset.documentId = String(documentId);
    reader.dataset.page = String(number);
    reader.dataset.pages = String(doc.pages);
    reader.dataset.access = doc.access;
    if (newDocument) {
      setText("reader-title", doc.title);
      $("reader-access").replaceChildren(accessBadge(doc));
      setText("page-count", doc.pages);
      $("page-input").max = String(doc.pages);
    }
    $("page-input").value = String(number);
    setText("reader-page-of", t("reader.page_of", { page: number, pages: doc.pages }));
    $("page-prev").disabled = number <= 1;
    $("page-next").disabled = number >= doc.pages;
    $("page-image").alt = `${doc.title} — ${t("reader.page_of", { page: number, pages: doc.pages })}`;
    // The same page again (a new snapshot, say): the delegate keeps their place on it.
    if (moved) viewer.show(doc, number);
    notes.render();
    renderFollow();
    persist();
    return true;
  }

  function go(page) {
    if (view.documentId !== null) open(view.documentId, page);
  }

  // -- follow the presenter -----------------------------------------------------------------
  function setTarget(presentation) {
    const doc = presentation?.document ?? null;
    if (doc) remember(doc);
    follow.target = doc ? { documentId: doc.id, page: presentation.page } : null;
    reader.dataset.presentedDocumentId = doc ? String(doc.id) : "";
    reader.dataset.presentedPage = doc ? String(presentation.page) : "";
    // Writing a note: the reader waits for the pen to lift (else the words would land on
    // the next page's note).
    if (follow.on && follow.target && document.activeElement !== $("note-text")) {
      open(follow.target.documentId, follow.target.page, { by: "presenter" });
    }
    renderFollow();
    library.render();
  }

  /** Follow mode held back while the delegate wrote a note: catch up. */
  function catchUp() {
    if (follow.on && follow.target && !atTarget()) open(follow.target.documentId, follow.target.page, { by: "presenter" });
  }

  function setFollow(on) {
    follow.on = on;
    if (on && follow.target) open(follow.target.documentId, follow.target.page, { by: "presenter" });
    renderFollow();
    persist();
  }

  function renderFollow() {
    const value = follow.on ? "true" : "false";
    reader.dataset.follow = value;
    body.dataset.follow = value;
    $("follow-toggle").checked = follow.on;
    $("follow-switch").classList.toggle("on", follow.on);
    const button = $("follow-return");
    const away = follow.target !== null && !atTarget() && (!follow.on || view.name === "reader");
    button.hidden = !away;
    if (!away) return;
    const doc = docs.byId.get(follow.target.documentId);
    button.dataset.documentId = String(follow.target.documentId);
    button.dataset.page = String(follow.target.page);
    setText("follow-return-target", t("reader.return_target", { title: doc?.title ?? "", page: follow.target.page }));
    const host = $(view.name === "reader" ? "follow-host-reader" : "follow-host-main");
    if (button.parentElement !== host) host.append(button);
  }

  // -- the documents --------------------------------------------------------------------------
  function remember(doc) {
    if (!docs.byId.has(doc.id)) docs.list.push(doc);
    else docs.list = docs.list.map((known) => (known.id === doc.id ? doc : known));
    docs.byId.set(doc.id, doc);
  }

  // -- controls ---------------------------------------------------------------------------------
  for (const tab of document.querySelectorAll(".view-tab")) {
    tab.addEventListener("click", () => setView(tab.dataset.view));
  }
  $("reader-back").addEventListener("click", () => {
    setView("documents");
    library.render();
  });
  $("page-prev").addEventListener("click", () => go(view.page - 1));
  $("page-next").addEventListener("click", () => go(view.page + 1));
  $("page-input").addEventListener("change", (event) => {
    const page = Number(event.target.value);
    if (Number.isInteger(page) && page >= 1) go(page);
    else event.target.value = String(view.page);
  });
  $("page-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.target.blur(); // "change" follows
  });
  $("follow-toggle").addEventListener("change", (event) => setFollow(event.target.checked));
  $("follow-return").addEventListener("click", () => setFollow(true));
  document.addEventListener("keydown", (event) => {
    if (view.name !== "reader" || body.classList.contains("ballot-open") || event.defaultPrevented) return;
    if (event.altKey || event.metaKey || (event.ctrlKey && !["+", "=", "-", "0"].includes(event.key))) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    const doc = docs.byId.get(view.documentId);
    const actions = {
      ArrowRight: () => go(view.page + 1),
      PageDown: () => go(view.page + 1),
      ArrowLeft: () => go(view.page - 1),
      PageUp: () => go(view.page - 1),
      Home: () => go(1),
      End: () => go(doc?.pages ?? 1),
      "+": () => viewer.zoomBy(1.25),
      "=": () => viewer.zoomBy(1.25),
      "-": () => viewer.zoomBy(0.8),
      0: () => viewer.setZoom(1),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  // -- the socket ---------------------------------------------------------------------------------
  /** A snapshot's documents, notes and presentation: the new truth. */
  screen.snapshot((data) => {
    docs.list = [];
    docs.byId.clear();
    for (const doc of data.documents ?? []) remember(doc);
    notes.load(data.notes ?? []);
    // A document gone (withdrawn): back to the list.
    if (view.documentId !== null && !docs.byId.has(view.documentId)) {
      view.documentId = null;
      if (view.name === "reader") setView("documents", { by: "system" });
    }
    const first = !started;
    started = true;
    setTarget(data.presentation);
    if (first && !(follow.on && follow.target)) {
      if (saved.view === "reader" && docs.byId.has(saved.documentId)) open(saved.documentId, saved.page, { by: "restore" });
      else setView(saved.view === "documents" ? "documents" : "agenda", { by: "system" });
    }
    library.render();
    if (view.documentId !== null) notes.render();
    notes.retry();
  });
  screen.on("document.added", (data) => {
    remember(data.document);
    library.render();
    toast(t("doc.added", { title: data.document.title }), { kind: "ok" });
  });
  screen.on("document.shown", (data) => setTarget(data));
  screen.on("note.saved", (data) => notes.saved(data));
  // The list marks the current item's documents.
  screen.watch("session", () => library.render());

  return { renderLibrary: () => library.render() };
}

// The tablet's documents: the session's documents by agenda item, search across them, the
// reader (reader_page.js), private notes per page, and "follow the presenter".
//
// Follow mode is on by default: when the console shows a page to the room (`document.shown`,
// or a snapshot's `presentation`) the reader opens it. A delegate who goes elsewhere themself
// (turns a page, opens another document, leaves the reader) leaves follow mode; the "return"
// button then takes them to the page being shown and turns follow mode on again.
//
// State mirrored for tests: <section id="reader" data-document-id data-page data-follow
// data-image-page data-zoom>, <body data-view data-follow>.
import { readJSON, writeJSON } from "./tablet_storage.js";
import { el, setText, t, toast } from "./ui.js";
import { accessBadge, fold, groupByAgenda, highlighted, pageUrl, WIDTH_THUMB } from "./documents.js";
import { PageViewer } from "./reader_page.js";
import { lockIcon } from "./voting.js";

const NOTE_DELAY_MS = 700;
const SEARCH_DELAY_MS = 350;
// Answers after which the note may still be saved later (nothing reached the server).
const RETRY_LATER = new Set(["command.offline", "command.timeout", "connection.closed"]);

function $(id) {
  return document.getElementById(id);
}

const noteKey = (documentId, page) => `${documentId}:${page}`;

export function setupTabletReader({ client, state, delegateId, sessionId }) {
  const body = document.body;
  const reader = $("reader");
  const main = document.querySelector(".tablet-main");
  const noteText = $("note-text");
  const placeKey = `chamber.reader.${delegateId}.${sessionId}`;
  const draftsKey = `chamber.notes.drafts.${delegateId}`;
  const saved = readJSON(placeKey, {}, sessionStorage);

  let documents = []; // snapshot order
  const byId = new Map();
  const view = { name: "agenda", documentId: null, page: 1 };
  const lastPage = new Map(); // where the delegate was in each document
  const follow = { on: saved.follow ?? true, target: null }; // target: {documentId, page}
  let started = false;

  // Notes: the server's, the delegate's unsaved words (kept until acknowledged, also across
  // a reload), the ones on their way, and why one could not be saved.
  const notes = new Map();
  const drafts = new Map(Object.entries(readJSON(draftsKey, {})));
  const sending = new Map();
  const noteErrors = new Map();
  const savedKeys = new Set();
  let noteTimer = null;

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
    if (view.name === "reader" && name !== "reader") flushNotes();
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
    const doc = byId.get(documentId);
    if (!doc) return false;
    const number = Math.min(doc.pages, Math.max(1, Math.round(page) || 1));
    if (by === "user") leaveFollow(documentId, number);
    const moved = view.documentId !== documentId || view.page !== number || view.name !== "reader";
    if (moved) flushNotes();
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
    renderNote();
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
    if (follow.on && follow.target && document.activeElement !== noteText) {
      open(follow.target.documentId, follow.target.page, { by: "presenter" });
    }
    renderFollow();
    renderLibrary();
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
    const doc = byId.get(follow.target.documentId);
    button.dataset.documentId = String(follow.target.documentId);
    button.dataset.page = String(follow.target.page);
    setText("follow-return-target", t("reader.return_target", { title: doc?.title ?? "", page: follow.target.page }));
    const host = $(view.name === "reader" ? "follow-host-reader" : "follow-host-main");
    if (button.parentElement !== host) host.append(button);
  }

  // -- the list -----------------------------------------------------------------------------
  function remember(doc) {
    if (!byId.has(doc.id)) documents.push(doc);
    else documents = documents.map((known) => (known.id === doc.id ? doc : known));
    byId.set(doc.id, doc);
  }

  function notePages(documentId) {
    const pages = new Set();
    const prefix = `${documentId}:`;
    for (const [key, text] of notes) if (key.startsWith(prefix) && text.trim()) pages.add(Number(key.slice(prefix.length)));
    for (const [key, draft] of drafts) {
      if (!key.startsWith(prefix)) continue;
      const page = Number(key.slice(prefix.length));
      if (draft.text.trim()) pages.add(page);
      else pages.delete(page);
    }
    return pages;
  }

  function documentRow(doc) {
    const presented = follow.target?.documentId === doc.id;
    const noted = notePages(doc.id).size;
    const cover =
      doc.access === "confidential"
        ? el("span", { className: "doc-cover doc-cover-locked" }, lockIcon("doc-cover-icon"))
        : el("span", { className: "doc-cover" }, el("img", { loading: "lazy", decoding: "async", alt: "", src: pageUrl(doc, 1, WIDTH_THUMB) }));
    return el(
      "li",
      {},
      el(
        "button",
        { type: "button", className: "doc-row", dataset: { documentId: doc.id, access: doc.access } },
        cover,
        el(
          "span",
          { className: "doc-text" },
          el("span", { className: "doc-title" }, doc.title),
          el(
            "span",
            { className: "doc-meta" },
            accessBadge(doc),
            el("span", { className: "doc-pages" }, t("doc.pages", { n: doc.pages })),
            noted ? el("span", { className: "doc-notes" }, t("doc.notes", { n: noted })) : null,
            presented ? el("span", { className: "doc-presented" }, t("doc.presented")) : null,
          ),
        ),
        el("span", { className: "doc-go", "aria-hidden": "true" }, "›"),
      ),
    );
  }

  function renderLibrary() {
    const count = $("documents-count");
    count.hidden = !documents.length;
    count.textContent = String(documents.length);
    const list = $("library-list");
    if (!documents.length) {
      list.replaceChildren(el("p", { className: "library-empty muted" }, t("doc.none")));
      return;
    }
    const currentItem = state.session?.current_item_id ?? null;
    list.replaceChildren(
      ...groupByAgenda(documents, state.agenda).map(({ item, documents: group }) =>
        el(
          "section",
          { className: "doc-group", dataset: { itemId: item?.id ?? "" } },
          el(
            "h3",
            { className: `doc-group-title${item && item.id === currentItem ? " current" : ""}` },
            item ? el("span", { className: "doc-group-number" }, item.number) : null,
            el("span", { className: "doc-group-text" }, item ? item.title : t("doc.general")),
            item && item.id === currentItem ? el("span", { className: "doc-group-now" }, t("doc.current_item")) : null,
          ),
          el("ul", { className: "doc-list" }, ...group.map(documentRow)),
        ),
      ),
    );
  }

  $("library-list").addEventListener("click", (event) => {
    const row = event.target.closest(".doc-row");
    if (!row) return;
    const documentId = Number(row.dataset.documentId);
    open(documentId, lastPage.get(documentId) ?? 1);
  });

  // -- search ---------------------------------------------------------------------------------
  let searchTimer = null;
  let searchToken = 0;
  const results = $("search-results");

  function searchState(name, ...children) {
    results.dataset.state = name;
    results.hidden = name === "idle";
    $("library-list").hidden = name !== "idle";
    results.replaceChildren(...children);
  }

  async function search(text) {
    clearTimeout(searchTimer);
    const query = text.trim();
    $("search-clear").hidden = !query;
    const token = ++searchToken;
    if (!query) return searchState("idle");
    if (fold(query).replace(/\s+/g, "").length < 2) return searchState("short", el("p", { className: "search-line muted" }, t("search.short")));
    searchState("loading", el("p", { className: "search-line muted" }, t("search.loading")));
    try {
      const answer = await fetch(`/documents/search/?session=${sessionId}&q=${encodeURIComponent(query)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
      const { hits } = await answer.json();
      if (token === searchToken) renderHits(query, hits);
    } catch {
      if (token === searchToken) searchState("error", el("p", { className: "search-line search-error" }, t("search.failed")));
    }
    return null;
  }

  function renderHits(query, hits) {
    if (!hits.length) {
      searchState("empty", el("p", { className: "search-line muted" }, t("search.none", { q: query })));
      return;
    }
    const groups = new Map();
    for (const hit of hits) {
      if (!groups.has(hit.document_id)) groups.set(hit.document_id, []);
      groups.get(hit.document_id).push(hit);
    }
    results.dataset.count = String(hits.length);
    searchState(
      "done",
      el("p", { className: "search-line" }, t("search.count", { n: hits.length, q: query })),
      ...[...groups].map(([documentId, group]) => {
        const doc = byId.get(documentId);
        return el(
          "section",
          { className: "hit-group", dataset: { documentId } },
          el("h3", { className: "hit-title" }, doc ? accessBadge(doc) : null, el("span", {}, group[0].title)),
          el(
            "ul",
            { className: "hit-list" },
            ...group.map((hit) =>
              el(
                "li",
                {},
                el(
                  "button",
                  { type: "button", className: "hit", dataset: { documentId, page: hit.page } },
                  el("span", { className: "hit-page" }, t("reader.page", { page: hit.page })),
                  el("span", { className: "hit-snippet" }, ...highlighted(hit.snippet ?? "", query)),
                ),
              ),
            ),
          ),
        );
      }),
    );
  }

  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search($("search-input").value);
  });
  $("search-input").addEventListener("input", (event) => {
    clearTimeout(searchTimer);
    const value = event.target.value;
    searchTimer = setTimeout(() => search(value), SEARCH_DELAY_MS);
  });
  $("search-clear").addEventListener("click", () => {
    $("search-input").value = "";
    search("");
    $("search-input").focus();
  });
  results.addEventListener("click", (event) => {
    const hit = event.target.closest(".hit");
    if (hit) open(Number(hit.dataset.documentId), Number(hit.dataset.page));
  });

  // -- notes --------------------------------------------------------------------------------------
  function saveDrafts() {
    writeJSON(draftsKey, Object.fromEntries(drafts));
  }

  function currentKey() {
    return view.documentId === null ? null : noteKey(view.documentId, view.page);
  }

  function renderNote() {
    const key = currentKey();
    if (key === null) return;
    setText("note-page", t("reader.page", { page: view.page }));
    noteText.dataset.key = key;
    // Unsaved words of this tablet win; otherwise the server's (maybe from another tablet).
    const text = drafts.get(key)?.text ?? notes.get(key) ?? "";
    if (noteText.value !== text) noteText.value = text;
    renderNoteStatus();
    renderNotePages();
  }

  function renderNoteStatus() {
    const key = currentKey();
    const status = $("note-status");
    let name = "";
    let text = "";
    if (noteErrors.has(key)) [name, text] = ["error", noteErrors.get(key)];
    else if (sending.has(key)) [name, text] = ["saving", t("note.saving")];
    else if (drafts.has(key)) [name, text] = ["typing", t("note.typing")];
    else if (savedKeys.has(key)) [name, text] = ["saved", t("note.saved")];
    status.dataset.state = name;
    status.textContent = text;
  }

  function renderNotePages() {
    if (view.documentId === null) return;
    const pages = notePages(view.documentId);
    viewer.markNotes(pages);
    const others = [...pages].filter((page) => page !== view.page).sort((a, b) => a - b);
    $("note-others").hidden = !others.length;
    $("note-others-list").replaceChildren(
      ...others.map((page) => el("button", { type: "button", className: "note-page-link", dataset: { page } }, t("reader.page", { page }))),
    );
  }

  async function saveNote(key) {
    const draft = drafts.get(key);
    if (!draft || sending.has(key)) return; // a save on its way sends the rest when done
    if (client.state !== "open") {
      noteErrors.set(key, t("note.offline"));
      renderNoteStatus();
      return;
    }
    noteErrors.delete(key);
    sending.set(key, draft.text);
    renderNoteStatus();
    try {
      await client.command("note.save", { document_id: draft.document_id, page: draft.page, text: draft.text }, { quiet: true });
      notes.set(key, draft.text);
      savedKeys.add(key);
      if (drafts.get(key)?.text === draft.text) {
        drafts.delete(key);
        saveDrafts();
      }
    } catch (error) {
      if (RETRY_LATER.has(error.code)) {
        noteErrors.set(key, t("note.offline"));
      } else {
        noteErrors.set(key, t("note.failed", { message: error.message }));
        if (drafts.get(key)?.text === draft.text) {
          drafts.delete(key); // refused for good (no such page): nothing to try again
          saveDrafts();
        }
      }
    } finally {
      sending.delete(key);
    }
    renderNoteStatus();
    renderNotePages();
    if (drafts.has(key) && !noteErrors.has(key)) saveNote(key); // typed on while it was saved
  }

  function flushNotes() {
    clearTimeout(noteTimer);
    for (const key of [...drafts.keys()]) saveNote(key);
  }

  noteText.addEventListener("input", () => {
    const key = noteText.dataset.key;
    if (!key) return;
    const [documentId, page] = key.split(":").map(Number);
    drafts.set(key, { document_id: documentId, page, text: noteText.value });
    saveDrafts();
    noteErrors.delete(key);
    savedKeys.delete(key);
    renderNoteStatus();
    clearTimeout(noteTimer);
    noteTimer = setTimeout(() => saveNote(key), NOTE_DELAY_MS);
  });
  noteText.addEventListener("blur", () => {
    flushNotes();
    catchUp();
  });
  window.addEventListener("pagehide", flushNotes);
  $("note-others-list").addEventListener("click", (event) => {
    const link = event.target.closest(".note-page-link");
    if (link) go(Number(link.dataset.page));
  });

  function noteSaved(data) {
    const key = noteKey(data.document_id, data.page);
    notes.set(key, data.text);
    savedKeys.add(key);
    if (key === currentKey()) renderNote();
    else renderNotePages();
    if (view.name === "documents") renderLibrary();
  }

  // -- controls ---------------------------------------------------------------------------------
  for (const tab of document.querySelectorAll(".view-tab")) {
    tab.addEventListener("click", () => setView(tab.dataset.view));
  }
  $("reader-back").addEventListener("click", () => {
    setView("documents");
    renderLibrary();
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
  const notesToggle = $("notes-toggle");
  function showNotes(on) {
    $("reader-body").dataset.notes = on ? "open" : "closed";
    notesToggle.setAttribute("aria-pressed", on ? "true" : "false");
    localStorage.setItem("chamber.reader.notes", on ? "open" : "closed");
  }
  showNotes(localStorage.getItem("chamber.reader.notes") !== "closed");
  notesToggle.addEventListener("click", () => showNotes(notesToggle.getAttribute("aria-pressed") !== "true"));

  document.addEventListener("keydown", (event) => {
    if (view.name !== "reader" || body.classList.contains("ballot-open") || event.defaultPrevented) return;
    if (event.altKey || event.metaKey || (event.ctrlKey && !["+", "=", "-", "0"].includes(event.key))) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    const doc = byId.get(view.documentId);
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
  return {
    renderLibrary,
    /** A snapshot's documents, notes and presentation: the new truth. */
    load(data) {
      documents = [];
      byId.clear();
      for (const doc of data.documents ?? []) remember(doc);
      notes.clear();
      for (const note of data.notes ?? []) notes.set(noteKey(note.document_id, note.page), note.text);
      // A document gone (withdrawn): back to the list.
      if (view.documentId !== null && !byId.has(view.documentId)) {
        view.documentId = null;
        if (view.name === "reader") setView("documents", { by: "system" });
      }
      const first = !started;
      started = true;
      setTarget(data.presentation);
      if (first && !(follow.on && follow.target)) {
        if (saved.view === "reader" && byId.has(saved.documentId)) open(saved.documentId, saved.page, { by: "restore" });
        else setView(saved.view === "documents" ? "documents" : "agenda", { by: "system" });
      }
      renderLibrary();
      if (view.documentId !== null) renderNote();
      for (const [key, message] of noteErrors) if (message === t("note.offline")) noteErrors.delete(key);
      flushNotes(); // words written while the link was down
    },
    handlers: {
      "document.added": (data) => {
        remember(data.document);
        renderLibrary();
        toast(t("doc.added", { title: data.document.title }), { kind: "ok" });
      },
      "document.shown": (data) => setTarget(data),
      "note.saved": (data) => noteSaved(data),
    },
  };
}

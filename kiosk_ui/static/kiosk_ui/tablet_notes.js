// The tablet reader's private notes, one per page: the delegate's words are kept on the tablet
// (localStorage) until the server acknowledges them, also across a reload or a lost link, and
// sent a moment after the typing stops, when the page changes and when the link returns.
import { readJSON, writeJSON } from "./tablet_storage.js";
import { el, setText, t } from "./ui.js";

const NOTE_DELAY_MS = 700;
// Answers after which the note may still be saved later (nothing reached the server).
const RETRY_LATER = new Set(["command.offline", "command.timeout", "connection.closed"]);

const noteKey = (documentId, page) => `${documentId}:${page}`;

function $(id) {
  return document.getElementById(id);
}

/**
 * The notes of the reader's `view` ({name, documentId, page}). `viewer` marks pages with notes,
 * `go(page)` turns to one, `catchUp()` lets follow mode move on once the pen lifts,
 * `renderLibrary()` redraws the list (it counts the notes).
 */
export function readerNotes({ client, delegateId, view, viewer, go, catchUp, renderLibrary }) {
  const noteText = $("note-text");
  const draftsKey = `chamber.notes.drafts.${delegateId}`;
  // Notes: the server's, the delegate's unsaved words (kept until acknowledged, also across
  // a reload), the ones on their way, and why one could not be saved.
  const notes = new Map();
  const drafts = new Map(Object.entries(readJSON(draftsKey, {})));
  const sending = new Map();
  const noteErrors = new Map();
  const savedKeys = new Set();
  let noteTimer = null;

  /** The pages of a document with a note (the server's, or words not yet saved). */
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

  // The notes column, open or closed as this tablet last had it.
  const notesToggle = $("notes-toggle");
  function showNotes(on) {
    $("reader-body").dataset.notes = on ? "open" : "closed";
    notesToggle.setAttribute("aria-pressed", on ? "true" : "false");
    localStorage.setItem("chamber.reader.notes", on ? "open" : "closed");
  }
  showNotes(localStorage.getItem("chamber.reader.notes") !== "closed");
  notesToggle.addEventListener("click", () => showNotes(notesToggle.getAttribute("aria-pressed") !== "true"));

  return {
    pages: notePages,
    render: renderNote,
    flush: flushNotes,
    saved: noteSaved,
    /** A snapshot's notes: the server's words. */
    load(list) {
      notes.clear();
      for (const note of list) notes.set(noteKey(note.document_id, note.page), note.text);
    },
    /** The link is back: what could not be sent is sent now. */
    retry() {
      for (const [key, message] of noteErrors) if (message === t("note.offline")) noteErrors.delete(key);
      flushNotes(); // words written while the link was down
    },
  };
}

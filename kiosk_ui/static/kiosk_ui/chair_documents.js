// The console's "Trình chiếu tài liệu" panel: pick a document and a page, preview it, show it
// to the room (`document.show`); what the room sees now, with previous / next page buttons
// that show at once. The projector and every following tablet switch from one event.
//
// What the room sees is the projector's decision (room.js): while a vote holds the wall, a page
// shown reaches only the tablets, and the panel says so. A page of a document for delegates
// only is shown after the chair confirms it (the gallery and the press see the wall).
//
// State mirrored for tests: #present-now[data-document-id][data-page][data-wall],
// #present-preview[data-document-id][data-page].
import { isLive } from "./sitting.js";
import { el, setText, t } from "./ui.js";
import { roomView } from "./room.js";
import { WIDTH_NARROW, WIDTH_THUMB, accessBadge, groupByAgenda, pageUrl } from "./documents.js";

function $(id) {
  return document.getElementById(id);
}

export function install(screen) {
  const { client, state } = screen;
  const room = () => roomView(state);
  let documents = [];
  const byId = new Map();
  const pick = { documentId: null, page: 1 };
  let shown = { document: null, page: null };
  let busy = false;

  function remember(doc) {
    if (!byId.has(doc.id)) documents.push(doc);
    else documents = documents.map((known) => (known.id === doc.id ? doc : known));
    byId.set(doc.id, doc);
  }

  // -- the list -------------------------------------------------------------------------------
  function renderList() {
    const host = $("present-docs");
    if (!documents.length) {
      host.replaceChildren(el("p", { className: "muted present-empty" }, t("doc.none")));
      return;
    }
    host.replaceChildren(
      ...groupByAgenda(documents, state.agenda).map(({ item, documents: group }) =>
        el(
          "div",
          { className: "present-group" },
          el("div", { className: "present-group-title" }, item ? `${item.number}. ${item.title}` : t("doc.general")),
          ...group.map((doc) =>
            el(
              "button",
              {
                type: "button",
                className: "present-doc",
                role: "option",
                dataset: { documentId: doc.id },
                "aria-selected": doc.id === pick.documentId ? "true" : "false",
              },
              el("span", { className: "present-doc-title" }, doc.title),
              el(
                "span",
                { className: "present-doc-meta" },
                accessBadge(doc),
                el("span", {}, t("doc.pages", { n: doc.pages })),
                shown.document?.id === doc.id
                  ? el("span", { className: "doc-presented" }, t("reader.page", { page: shown.page }))
                  : null,
              ),
            ),
          ),
        ),
      ),
    );
  }

  $("present-docs").addEventListener("click", (event) => {
    const row = event.target.closest(".present-doc");
    if (!row) return;
    const documentId = Number(row.dataset.documentId);
    const page = shown.document?.id === documentId ? shown.page : 1;
    choose(documentId, page);
  });

  // -- the preview ----------------------------------------------------------------------------
  function choose(documentId, page) {
    const doc = byId.get(documentId);
    if (!doc) return;
    pick.documentId = documentId;
    pick.page = Math.min(doc.pages, Math.max(1, page));
    renderList();
    renderPreview();
  }

  function renderPreview() {
    const doc = byId.get(pick.documentId) ?? null;
    const box = $("present-preview");
    box.dataset.documentId = doc ? String(doc.id) : "";
    box.dataset.page = doc ? String(pick.page) : "";
    const image = $("present-preview-image");
    $("present-preview-empty").hidden = Boolean(doc);
    image.hidden = !doc;
    $("present-preview-title").replaceChildren(...(doc ? [accessBadge(doc), el("span", {}, doc.title)] : []));
    const input = $("present-page");
    input.disabled = !doc;
    if (doc) {
      const url = pageUrl(doc, pick.page, WIDTH_NARROW);
      if (image.dataset.src !== url) {
        image.dataset.src = url;
        image.src = url;
      }
      input.max = String(doc.pages);
      if (document.activeElement !== input) input.value = String(pick.page);
    }
    setText("present-pages", doc ? doc.pages : "–");
    $("present-prev").disabled = !doc || pick.page <= 1;
    $("present-next").disabled = !doc || pick.page >= doc.pages;
    const live = isLive(state.session);
    const same = doc && shown.document?.id === doc.id && shown.page === pick.page;
    const show = $("present-show");
    show.disabled = !doc || !live || busy || same;
    // While a vote holds the wall, the page shown reaches the tablets only.
    show.textContent = same ? t(room().view === "document" ? "present.is_shown" : "present.on_tablets") : t("doc.show");
    show.classList.toggle("is-shown", Boolean(same));
    const hint = $("present-hint");
    hint.textContent = doc && !live ? t("present.needs_live") : "";
    hint.hidden = !hint.textContent;
    box.classList.toggle("is-shown", Boolean(same));
  }

  function step(delta) {
    const doc = byId.get(pick.documentId);
    if (doc) choose(doc.id, pick.page + delta);
  }

  $("present-prev").addEventListener("click", () => step(-1));
  $("present-next").addEventListener("click", () => step(1));
  $("present-page").addEventListener("change", (event) => {
    const page = Number(event.target.value);
    if (Number.isInteger(page) && page >= 1) choose(pick.documentId, page);
    else event.target.value = String(pick.page);
  });
  $("present-page").addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.target.blur();
  });

  async function showPage(documentId, page) {
    if (busy) return;
    busy = true;
    renderPreview();
    renderNow();
    try {
      await client.command("document.show", { document_id: documentId, page });
    } catch {
      // the toast shows the server's message
    } finally {
      busy = false;
      renderPreview();
      renderNow();
    }
  }

  const confirmShow = $("confirm-show");
  const asked = { documentId: null, page: null };

  $("present-show").addEventListener("click", () => {
    if (pick.documentId === null) return;
    const doc = byId.get(pick.documentId);
    // A page of the document already on the wall needs no second question.
    if (doc?.access === "delegates" && shown.document?.id !== doc.id) {
      asked.documentId = doc.id;
      asked.page = pick.page;
      setText("confirm-show-doc", t("present.confirm_doc", { title: doc.title, page: pick.page, pages: doc.pages }));
      confirmShow.returnValue = "";
      confirmShow.showModal();
      return;
    }
    showPage(pick.documentId, pick.page);
  });

  confirmShow.addEventListener("close", () => {
    if (confirmShow.returnValue === "confirm" && asked.documentId !== null) showPage(asked.documentId, asked.page);
    asked.documentId = null;
  });

  // -- what the room sees -----------------------------------------------------------------------
  function renderNow() {
    const doc = shown.document;
    const box = $("present-now");
    box.dataset.documentId = doc ? String(doc.id) : "";
    box.dataset.page = doc ? String(shown.page) : "";
    box.dataset.empty = doc ? "false" : "true";
    const thumb = $("present-now-thumb");
    if (doc && doc.access !== "confidential") {
      const url = pageUrl(doc, shown.page, WIDTH_THUMB);
      if (thumb.dataset.src !== url) {
        thumb.dataset.src = url;
        thumb.replaceChildren(el("img", { alt: "", src: url }));
      }
    } else {
      thumb.dataset.src = "";
      thumb.replaceChildren();
    }
    setText("present-now-title", doc ? doc.title : t("present.none"));
    setText("present-now-page", doc ? t("reader.page_of", { page: shown.page, pages: doc.pages }) : "");
    const live = isLive(state.session);
    $("present-now-prev").disabled = !doc || !live || busy || shown.page <= 1;
    $("present-now-next").disabled = !doc || !live || busy || shown.page >= doc.pages;
    // On the wall, or (while a vote holds it) on the tablets only.
    const wall = doc ? (room().view === "document" ? "page" : "vote") : "";
    box.dataset.wall = wall;
    $("present-now-note").hidden = wall !== "vote";
    $("tab-documents-badge").hidden = wall !== "page";
    document.body.dataset.presentedDocumentId = doc ? String(doc.id) : "";
    document.body.dataset.presentedPage = doc ? String(shown.page) : "";
  }

  $("present-now-prev").addEventListener("click", () => {
    if (shown.document) showPage(shown.document.id, shown.page - 1);
  });
  $("present-now-next").addEventListener("click", () => {
    if (shown.document) showPage(shown.document.id, shown.page + 1);
  });

  function presented(presentation) {
    const doc = presentation?.document ?? null;
    if (doc) remember(doc);
    const before = shown;
    shown = { document: doc, page: doc ? presentation.page : null };
    state.presentation = doc ? shown : null; // what the room sees follows the page shown (room.js)
    // The picker follows the room while it was on the page shown before.
    if (doc && (pick.documentId === null || (before.document?.id === pick.documentId && before.page === pick.page))) {
      pick.documentId = doc.id;
      pick.page = shown.page;
    }
    renderList();
    renderPreview();
    renderNow();
  }

  function render() {
    renderPreview();
    renderNow();
  }

  screen.snapshot((data) => {
    documents = [];
    byId.clear();
    for (const doc of data.documents ?? []) remember(doc);
    if (pick.documentId !== null && !byId.has(pick.documentId)) pick.documentId = null;
    presented(data.presentation);
  });
  screen.on("document.added", (data) => {
    remember(data.document);
    renderList();
  });
  screen.on("document.shown", (data) => presented(data));
  // Showing needs a live sitting; the buttons say whether the wall or only the tablets see it.
  screen.watch("session", render);
  screen.watch("room", render);
}

// The tablet's list of the session's documents, by agenda item, and the search across them
// (the server's full-text search): a hit opens the reader on its page.
import { accessBadge, fold, groupByAgenda, highlighted, pageUrl, WIDTH_THUMB } from "./documents.js";
import { el, t } from "./ui.js";
import { lockIcon } from "./voting.js";

const SEARCH_DELAY_MS = 350;

function $(id) {
  return document.getElementById(id);
}

/**
 * `docs`: {list, byId} of the reader; `presented()`: the id of the document shown to the room;
 * `notePages(documentId)`: its pages with a note; `open(documentId, page)`: to the reader;
 * `lastPage`: where the delegate was in each document.
 */
export function readerLibrary({ state, sessionId, docs, presented, notePages, open, lastPage }) {
  function documentRow(doc) {
    const shown = presented() === doc.id;
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
            shown ? el("span", { className: "doc-presented" }, t("doc.presented")) : null,
          ),
        ),
        el("span", { className: "doc-go", "aria-hidden": "true" }, "›"),
      ),
    );
  }

  function renderLibrary() {
    const count = $("documents-count");
    count.hidden = !docs.list.length;
    count.textContent = String(docs.list.length);
    const list = $("library-list");
    if (!docs.list.length) {
      list.replaceChildren(el("p", { className: "library-empty muted" }, t("doc.none")));
      return;
    }
    const currentItem = state.session?.current_item_id ?? null;
    list.replaceChildren(
      ...groupByAgenda(docs.list, state.agenda).map(({ item, documents: group }) =>
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
        const doc = docs.byId.get(documentId);
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

  return { render: renderLibrary };
}

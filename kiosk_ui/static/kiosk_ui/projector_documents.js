// The projector's page display: the page the console shows to the room, as large as the screen
// allows, with the document's title and "Trang n/N". A confidential document is never put on
// the wall: a placeholder sends the room to their tablets.
//
// State mirrored for tests: #doc-panel[data-document-id][data-page][data-access][data-image-page].
import { el, setText, t } from "./chamber.js";
import { WIDTH_ROOM, accessBadge, pageUrl } from "./documents.js";

let shownUrl = null;
let token = 0;

function $(id) {
  return document.getElementById(id);
}

/** Show `presentation` ({document, page}) in the page panel, or empty it (null). */
export function renderPresentation(presentation, agenda) {
  const panel = $("doc-panel");
  const doc = presentation?.document ?? null;
  const page = doc ? presentation.page : null;
  panel.hidden = !doc;
  panel.dataset.documentId = doc ? String(doc.id) : "";
  panel.dataset.page = doc ? String(page) : "";
  panel.dataset.access = doc ? doc.access : "";
  if (!doc) {
    panel.dataset.imagePage = "";
    return;
  }
  const item = agenda.find((candidate) => candidate.id === doc.agenda_item_id);
  setText("doc-item", item ? `${t("doc.item", { number: item.number })} · ${item.title}` : "");
  setText("doc-title", doc.title);
  $("doc-page").replaceChildren(
    el("span", { className: "proj-doc-page-word" }, t("doc.page_word")),
    el("span", { className: "proj-doc-page-number" }, String(page)),
    el("span", { className: "proj-doc-page-of" }, `/${doc.pages}`),
  );
  $("doc-access").replaceChildren(accessBadge(doc, "access-xl"));
  const image = $("doc-image");
  const secret = doc.access === "confidential";
  $("doc-secret").hidden = !secret;
  if (secret) {
    // Not even requested: the room's screen holds no confidential pixels.
    token += 1;
    image.hidden = true;
    image.removeAttribute("src");
    shownUrl = null;
    $("doc-missing").hidden = true;
    panel.dataset.imagePage = "";
    return;
  }
  const url = pageUrl(doc, page, WIDTH_ROOM);
  if (url === shownUrl) {
    panel.dataset.imagePage = String(page); // shown again (after a vote): the same image
    return;
  }
  const mine = ++token;
  panel.dataset.imagePage = "";
  image.classList.add("loading");
  const next = new Image();
  next.src = url;
  next
    .decode()
    .then(() => {
      if (mine !== token) return;
      image.src = url;
      image.hidden = false;
      image.classList.remove("loading");
      $("doc-missing").hidden = true;
      shownUrl = url;
      panel.dataset.imagePage = String(page);
      // The presenter most likely goes on to the next page.
      if (page < doc.pages) new Image().src = pageUrl(doc, page + 1, WIDTH_ROOM);
    })
    .catch(() => {
      if (mine !== token) return;
      image.hidden = true;
      shownUrl = null;
      $("doc-missing").hidden = false;
    });
}

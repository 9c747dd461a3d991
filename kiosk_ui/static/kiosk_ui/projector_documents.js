// The projector's page display: the page the console shows to the room, as large as the screen
// allows, with the document's title and "Trang n/N". A confidential document is never put on
// the wall: a placeholder sends the room to their tablets.
//
// To be read from the back of the room, the page takes the projector's whole height and its
// white margins are cut away (found in the image itself), so its text is as large as it can be.
//
// State mirrored for tests: #doc-panel[data-document-id][data-page][data-access][data-image-page],
// #doc-image[data-crop="top right bottom left"] (fractions of the page cut away).
import { el, setText, t } from "./ui.js";
import { WIDTH_ROOM, accessBadge, pageUrl } from "./documents.js";

let shownUrl = null;
let token = 0;

// Margins: a pixel darker than this is ink; the page keeps a little white around its ink, and
// is never cut to less than this share of its width or height (a nearly empty page).
const INK = 235;
const PAD = 0.025;
const MIN_SHARE = 0.6;
const SAMPLE_WIDTH = 300;

/** The share of the page cut away at each side: {top, right, bottom, left}, or none. */
function margins(image) {
  const none = { top: 0, right: 0, bottom: 0, left: 0 };
  const width = SAMPLE_WIDTH;
  const height = Math.max(1, Math.round((image.naturalHeight / image.naturalWidth) * width));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(image, 0, 0, width, height);
  let pixels;
  try {
    pixels = context.getImageData(0, 0, width, height).data;
  } catch {
    return none; // not readable: show the whole page
  }
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * 4;
      if (pixels[i] < INK || pixels[i + 1] < INK || pixels[i + 2] < INK) {
        if (y < top) top = y;
        if (y > bottom) bottom = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
  }
  if (bottom < 0) return none; // a blank page
  const span = (from, to, size) => {
    let start = Math.max(0, from / size - PAD);
    let end = Math.min(1, (to + 1) / size + PAD);
    if (end - start < MIN_SHARE) {
      const middle = (start + end) / 2;
      start = Math.min(Math.max(0, middle - MIN_SHARE / 2), 1 - MIN_SHARE);
      end = start + MIN_SHARE;
    }
    return [start, end];
  };
  const [y0, y1] = span(top, bottom, height);
  const [x0, x1] = span(left, right, width);
  return { top: y0, right: 1 - x1, bottom: 1 - y1, left: x0 };
}

function crop(image, source) {
  const cut = margins(source);
  const sides = [cut.top, cut.right, cut.bottom, cut.left];
  image.style.objectViewBox = `inset(${sides.map((side) => `${(side * 100).toFixed(2)}%`).join(" ")})`;
  image.dataset.crop = sides.map((side) => side.toFixed(4)).join(" ");
}

function $(id) {
  return document.getElementById(id);
}

/** Show `presentation` ({document, page}) in the page panel, or empty it (null). */
function renderPresentation(presentation, agenda) {
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
      crop(image, next);
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

/** The page shown to the room: state.presentation; the panel shows it when the room does. */
export function install(screen) {
  const { state } = screen;
  state.presentation = null;
  screen.snapshot((data) => {
    state.presentation = data.presentation?.document ? data.presentation : null;
  });
  screen.on("document.shown", (data) => {
    state.presentation = data.document ? data : null;
  });
  screen.watch("room", () => renderPresentation(state.room.page, state.agenda));
}

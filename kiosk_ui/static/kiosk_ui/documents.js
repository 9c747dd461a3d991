// Session documents, shared by the tablet's reader, the console's presentation panel and the
// projector: page image URLs, the access badge, documents grouped by agenda item, and search
// highlights that ignore diacritics the way the server's search does (documents/folding.py).
import { el, t } from "./ui.js";
import { lockIcon } from "./voting.js";

// The widths the server renders (documents/rendering.py WIDTHS).
export const WIDTH_THUMB = 240;
export const WIDTH_NARROW = 800;
export const WIDTH_TABLET = 1280;
export const WIDTH_ROOM = 1920;

/** A page image: `pages_url + "<n>.png?w=<width>"` (docs/protocol.md). */
export function pageUrl(document, page, width) {
  return `${document.pages_url}${page}.png?w=${width}`;
}

/** The badge naming who may read a document: Công khai / Đại biểu / Mật. */
export function accessBadge(document, extra = "") {
  const access = document.access;
  return el(
    "span",
    {
      className: `access access-${access} ${extra}`.trim(),
      dataset: { access },
      title: t(`access.${access}_long`),
    },
    access === "confidential" ? lockIcon("access-icon") : null,
    t(`access.${access}`),
  );
}

/**
 * The documents in agenda order: [{item, documents}], the session's general documents (no
 * agenda item, or an item no longer on the agenda) first, with `item: null`.
 */
export function groupByAgenda(documents, agenda) {
  const known = new Set(agenda.map((item) => item.id));
  const byItem = new Map();
  for (const document of documents) {
    const key = known.has(document.agenda_item_id) ? document.agenda_item_id : null;
    if (!byItem.has(key)) byItem.set(key, []);
    byItem.get(key).push(document);
  }
  const groups = [];
  if (byItem.has(null)) groups.push({ item: null, documents: byItem.get(null) });
  for (const item of agenda) {
    if (byItem.has(item.id)) groups.push({ item, documents: byItem.get(item.id) });
  }
  return groups;
}

// -- diacritics-insensitive highlights ----------------------------------------------------------
const SPECIAL = { đ: "d", Đ: "d", ð: "d", ł: "l", Ł: "l", ø: "o", Ø: "o" };

function foldChar(char) {
  if (char in SPECIAL) return SPECIAL[char];
  return char.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

export function fold(text) {
  return [...text.normalize("NFC")].map(foldChar).join("");
}

/**
 * `text` as nodes, with every place the query matches (diacritics and case ignored) in <mark>:
 * "nghi quyet" marks "Nghị quyết" in the words the reader sees.
 */
export function highlighted(text, query) {
  const source = [...(text ?? "").normalize("NFC")];
  const needle = fold(query ?? "").trim();
  if (!needle) return [source.join("")];
  let folded = "";
  const positions = [];
  source.forEach((char, index) => {
    for (const piece of foldChar(char)) {
      folded += piece;
      positions.push(index);
    }
  });
  const nodes = [];
  let from = 0; // index into `source` already emitted
  let at = folded.indexOf(needle);
  while (at >= 0) {
    const start = positions[at];
    const end = positions[at + needle.length - 1] + 1;
    if (start >= from) {
      if (start > from) nodes.push(source.slice(from, start).join(""));
      nodes.push(el("mark", {}, source.slice(start, end).join("")));
      from = end;
    }
    at = folded.indexOf(needle, at + needle.length);
  }
  if (from < source.length) nodes.push(source.slice(from).join(""));
  return nodes;
}

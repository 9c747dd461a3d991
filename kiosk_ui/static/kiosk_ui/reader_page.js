// The tablet's page viewer: one page image at a time, fitted to the width of the stage, with
// zoom (buttons, pinch, ctrl + wheel, double tap), pan when zoomed (drag), swipe left/right to
// turn the page, a strip of lazy thumbnails, and the next page fetched ahead.
//
// Page images are fetched into object URLs kept in a small cache: a confidential page is
// never cached by the browser (the server marks it no-store), yet the preloaded next page must
// still be there when the delegate turns to it.
import { el, t } from "./ui.js";
import { WIDTH_NARROW, WIDTH_ROOM, WIDTH_TABLET, WIDTH_THUMB, pageUrl } from "./documents.js";

const PAD = 16; // around the page, inside the stage
const MAX_ZOOM = 4;
const ZOOM_STEP = 1.25;
const SWIPE_PX = 60;
const CACHE_SIZE = 8;
const A4 = Math.SQRT2; // height / width until the first image tells

export class PageViewer {
  /**
   * elements: {reader, viewport, sizer, image, state, thumbs, zoomOut, zoomIn, zoomReset}
   * onTurn(delta): the delegate swiped or asked for the previous (-1) or next (+1) page
   * onPick(page): the delegate picked a page in the thumbnails
   */
  constructor({ elements, onTurn, onPick }) {
    Object.assign(this, elements);
    this.onTurn = onTurn;
    this.onPick = onPick;
    this.document = null;
    this.page = 1;
    this.zoom = 1;
    this.aspect = A4;
    this.cache = new Map(); // url -> {promise, objectUrl}
    this.token = 0;
    this.shownUrl = null;
    this.pointers = new Map();
    this.gesture = null;
    this.bind();
    new ResizeObserver(() => this.layout()).observe(this.viewport);
  }

  // -- what is shown -----------------------------------------------------------------------
  /** Show `page` of `document`; a new page starts at its top. */
  show(document, page) {
    const newDocument = document.id !== this.document?.id;
    this.document = document;
    this.page = page;
    if (newDocument) this.renderThumbs();
    this.markThumb();
    this.viewport.scrollTop = 0;
    this.viewport.scrollLeft = 0;
    this.load();
  }

  /** The rendered width to ask for: the tablet's, a narrower one in portrait, the room's
   * when zoomed in far enough to need it. */
  imageWidth() {
    const pixels = this.fitWidth() * this.zoom * (window.devicePixelRatio || 1);
    if (pixels > WIDTH_TABLET * 1.15) return WIDTH_ROOM;
    const portrait = window.matchMedia("(orientation: portrait)").matches;
    if (portrait && pixels <= WIDTH_NARROW) return WIDTH_NARROW;
    return WIDTH_TABLET;
  }

  fetchImage(url) {
    let entry = this.cache.get(url);
    if (entry) {
      this.cache.delete(url); // most recently used goes last
      this.cache.set(url, entry);
      return entry.promise;
    }
    entry = { objectUrl: null };
    entry.promise = fetch(url, { credentials: "same-origin" })
      .then((answer) => {
        if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
        return answer.blob();
      })
      .then((blob) => {
        entry.objectUrl = URL.createObjectURL(blob);
        return entry.objectUrl;
      });
    entry.promise.catch(() => this.cache.delete(url));
    this.cache.set(url, entry);
    for (const [key, old] of this.cache) {
      if (this.cache.size <= CACHE_SIZE) break;
      if (key === url || (old.objectUrl && old.objectUrl === this.image.src)) continue;
      this.cache.delete(key);
      if (old.objectUrl) URL.revokeObjectURL(old.objectUrl);
    }
    return entry.promise;
  }

  load() {
    const document = this.document;
    const page = this.page;
    const width = this.imageWidth();
    const url = pageUrl(document, page, width);
    const token = ++this.token;
    this.reader.dataset.imagePage = "";
    if (url === this.shownUrl) {
      this.loaded(page);
      return;
    }
    const slow = setTimeout(() => this.setState("loading"), 150);
    this.fetchImage(url)
      .then((src) => {
        if (token !== this.token) return null;
        this.image.src = src;
        return this.image.decode().catch(() => {});
      })
      .then(() => {
        if (token !== this.token) return;
        clearTimeout(slow);
        this.shownUrl = url;
        if (this.image.naturalWidth) this.aspect = this.image.naturalHeight / this.image.naturalWidth;
        this.layout();
        this.loaded(page);
        // The page the delegate will most likely want next.
        if (page < document.pages) this.fetchImage(pageUrl(document, page + 1, width)).catch(() => {});
      })
      .catch(() => {
        if (token !== this.token) return;
        clearTimeout(slow);
        this.setState("error");
      });
  }

  loaded(page) {
    this.setState("ready");
    this.reader.dataset.imagePage = String(page);
  }

  setState(name) {
    this.state.dataset.state = name;
    this.state.hidden = name === "ready";
    this.state.textContent = name === "error" ? t("reader.load_failed") : t("reader.loading");
    this.viewport.dataset.state = name;
  }

  // -- thumbnails ------------------------------------------------------------------------------
  renderThumbs() {
    const document = this.document;
    const items = [];
    for (let page = 1; page <= document.pages; page += 1) {
      items.push(
        el(
          "li",
          { className: "thumb-item", dataset: { page } },
          el(
            "button",
            { type: "button", className: "thumb", dataset: { page }, "aria-label": t("reader.page", { page }) },
            // `loading` before `src`: the browser fetches a thumbnail only near the view.
            el("img", { loading: "lazy", decoding: "async", alt: "", draggable: false, src: pageUrl(document, page, WIDTH_THUMB) }),
            el("span", { className: "thumb-number" }, String(page)),
          ),
        ),
      );
    }
    this.thumbs.replaceChildren(...items);
  }

  markThumb() {
    for (const item of this.thumbs.children) {
      const on = item.dataset.page === String(this.page);
      item.classList.toggle("current", on);
      const button = item.firstElementChild;
      if (on) {
        button.setAttribute("aria-current", "page");
        item.scrollIntoView({ block: "nearest", inline: "nearest" });
      } else {
        button.removeAttribute("aria-current");
      }
    }
  }

  /** Pages with a private note get a mark in the strip. */
  markNotes(pages) {
    for (const item of this.thumbs.children) item.classList.toggle("has-note", pages.has(Number(item.dataset.page)));
  }

  // -- zoom and layout ----------------------------------------------------------------------
  fitWidth() {
    return Math.max(120, this.viewport.clientWidth - 2 * PAD);
  }

  /** The smallest zoom: the whole page in view. */
  minZoom() {
    const height = Math.max(120, this.viewport.clientHeight - 2 * PAD);
    return Math.min(1, height / (this.fitWidth() * this.aspect));
  }

  layout() {
    if (!this.viewport.clientWidth) return; // hidden
    this.zoom = Math.min(MAX_ZOOM, Math.max(this.minZoom(), this.zoom));
    const width = Math.round(this.fitWidth() * this.zoom);
    this.sizer.style.width = `${width}px`;
    this.sizer.style.height = `${Math.round(width * this.aspect)}px`;
    this.reader.dataset.zoom = this.zoom.toFixed(2);
    this.zoomReset.textContent = `${Math.round(this.zoom * 100)}%`;
    this.zoomOut.disabled = this.zoom <= this.minZoom() + 0.001;
    this.zoomIn.disabled = this.zoom >= MAX_ZOOM - 0.001;
    this.viewport.classList.toggle("pannable", this.canPanX() || this.canPanY());
  }

  canPanX() {
    return this.viewport.scrollWidth > this.viewport.clientWidth + 1;
  }

  canPanY() {
    return this.viewport.scrollHeight > this.viewport.clientHeight + 1;
  }

  /** Zoom to `zoom`, keeping the point of the page under (x, y) where it is. */
  setZoom(zoom, x, y) {
    const box = this.viewport.getBoundingClientRect();
    const anchorX = x ?? box.left + box.width / 2;
    const anchorY = y ?? box.top + box.height / 2;
    const before = this.sizer.getBoundingClientRect();
    const fx = (anchorX - before.left) / before.width;
    const fy = (anchorY - before.top) / before.height;
    const width = this.imageWidth();
    this.zoom = zoom;
    this.layout();
    const after = this.sizer.getBoundingClientRect();
    this.viewport.scrollLeft += after.left + fx * after.width - anchorX;
    this.viewport.scrollTop += after.top + fy * after.height - anchorY;
    if (this.imageWidth() > width && this.document) this.load(); // sharper now that it is larger
  }

  zoomBy(factor, x, y) {
    this.setZoom(this.zoom * factor, x, y);
  }

  // -- input -----------------------------------------------------------------------------------
  bind() {
    const viewport = this.viewport;
    this.zoomIn.addEventListener("click", () => this.zoomBy(ZOOM_STEP));
    this.zoomOut.addEventListener("click", () => this.zoomBy(1 / ZOOM_STEP));
    this.zoomReset.addEventListener("click", () => this.setZoom(1));
    this.thumbs.addEventListener("click", (event) => {
      const button = event.target.closest(".thumb");
      if (button) this.onPick(Number(button.dataset.page));
    });
    this.state.addEventListener("click", () => {
      if (this.state.dataset.state === "error") this.load();
    });
    viewport.addEventListener(
      "wheel",
      (event) => {
        if (!event.ctrlKey) return; // plain wheel scrolls; ctrl + wheel (and a trackpad pinch) zooms
        event.preventDefault();
        this.zoomBy(Math.exp(-event.deltaY * 0.0025), event.clientX, event.clientY);
      },
      { passive: false },
    );
    viewport.addEventListener("dblclick", (event) => {
      this.setZoom(this.zoom > 1.05 ? 1 : 2, event.clientX, event.clientY);
    });
    viewport.addEventListener("pointerdown", (event) => this.pointerDown(event));
    viewport.addEventListener("pointermove", (event) => this.pointerMove(event));
    for (const type of ["pointerup", "pointercancel"]) {
      viewport.addEventListener(type, (event) => this.pointerUp(event, type === "pointercancel"));
    }
  }

  startDrag(pointer) {
    this.gesture = {
      type: "drag",
      x: pointer.x,
      y: pointer.y,
      left: this.viewport.scrollLeft,
      top: this.viewport.scrollTop,
      axis: null,
      swipe: !this.canPanX(), // a page wider than the stage pans instead
    };
  }

  pointerDown(event) {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    if (event.target === this.state) return; // "tap to try again" stays a tap
    this.viewport.setPointerCapture(event.pointerId);
    this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (this.pointers.size === 1) {
      this.startDrag({ x: event.clientX, y: event.clientY });
    } else if (this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()];
      this.sizer.style.transform = "";
      this.gesture = { type: "pinch", distance: Math.hypot(a.x - b.x, a.y - b.y) || 1, zoom: this.zoom };
    }
  }

  pointerMove(event) {
    const pointer = this.pointers.get(event.pointerId);
    if (!pointer || !this.gesture) return;
    pointer.x = event.clientX;
    pointer.y = event.clientY;
    const gesture = this.gesture;
    if (gesture.type === "pinch") {
      const [a, b] = [...this.pointers.values()];
      const distance = Math.hypot(a.x - b.x, a.y - b.y);
      this.setZoom(gesture.zoom * (distance / gesture.distance), (a.x + b.x) / 2, (a.y + b.y) / 2);
      return;
    }
    const dx = pointer.x - gesture.x;
    const dy = pointer.y - gesture.y;
    if (gesture.axis === null && Math.hypot(dx, dy) > 8) gesture.axis = Math.abs(dx) > Math.abs(dy) ? "x" : "y";
    if (gesture.axis === null) return;
    this.viewport.classList.add("dragging");
    if (gesture.axis === "x" && gesture.swipe) {
      // The page follows the finger a little: the delegate sees that a turn is coming.
      this.sizer.style.transform = `translateX(${dx * 0.5}px)`;
      return;
    }
    this.viewport.scrollLeft = gesture.left - dx;
    this.viewport.scrollTop = gesture.top - dy;
  }

  pointerUp(event, cancelled) {
    if (!this.pointers.has(event.pointerId)) return;
    const gesture = this.gesture;
    const pointer = this.pointers.get(event.pointerId);
    this.pointers.delete(event.pointerId);
    if (gesture?.type === "drag") {
      this.viewport.classList.remove("dragging");
      this.sizer.style.transform = "";
      const dx = pointer.x - gesture.x;
      const dy = pointer.y - gesture.y;
      this.gesture = null;
      if (!cancelled && gesture.axis === "x" && gesture.swipe && Math.abs(dx) >= SWIPE_PX && Math.abs(dx) > Math.abs(dy)) {
        this.onTurn(dx < 0 ? 1 : -1);
      }
      return;
    }
    if (gesture?.type === "pinch") {
      // One finger stays: it pans from here.
      const rest = [...this.pointers.values()][0];
      if (rest) {
        this.startDrag(rest);
        this.gesture.swipe = false; // the end of a pinch is no page turn
      } else {
        this.gesture = null;
      }
    }
  }
}

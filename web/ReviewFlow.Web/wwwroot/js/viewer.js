// The document beside the decision: its content as the server fetched it from the document's contentUri
// (GET /api/v1/documents/{id}/content), shown here — a PDF page by page on a canvas (PDF.js, vendored in lib/pdfjs,
// ADR 0016), an image from a blob: URL, text in a <pre>. Without content (or when the server refuses it, saying why)
// the excerpt below is what there is. [ and ] turn the pages (keyboard.js).
import { $, el, clear } from "./dom.js";
import { download } from "./api.js";

let shown = null; // { id, opening, pdf, page, pages, task, url }: what the viewer holds now
let loading = 0; // counts loads, so that a late answer for another document is dropped
let pdfjs = null, worker = null;

// Shows the content of the document; again for the same document (a live refresh) it keeps the page the reviewer is on.
export async function showContent(documentId, contentUri) {
  if (shown && shown.id === documentId) return;
  const load = ++loading;
  reset();
  shown = { id: documentId };
  $("viewer").hidden = !contentUri;
  if (!contentUri) return;
  status("Loading the document…");
  let response;
  try { response = await download("/api/v1/documents/" + encodeURIComponent(documentId) + "/content"); }
  catch { if (load === loading) status("Only the excerpt can be shown: the document could not be loaded.", "error"); return; }
  if (load !== loading) return;
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    status("Only the excerpt can be shown. " + ((problem && problem.detail) || "HTTP " + response.status), "warn");
    return;
  }
  const type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
  const blob = await response.blob();
  if (load !== loading) return;
  try {
    if (type === "application/pdf") await showPdf(blob, load);
    else if (type.startsWith("image/")) showImage(blob);
    else showText(await blob.text());
  } catch (e) {
    if (load === loading) status("Only the excerpt can be shown: the document could not be read (" + (e && e.message ? e.message : type) + ").", "error");
  }
}

export function nextPage() { turn(1); }
export function previousPage() { turn(-1); }

function turn(by) {
  if (!shown || !shown.pdf) return;
  const page = Math.min(shown.pages, Math.max(1, shown.page + by));
  if (page !== shown.page) renderPage(page);
}

async function showPdf(blob, load) {
  if (!pdfjs) {
    pdfjs = await import("../lib/pdfjs/pdf.min.mjs");
    // The worker is a file of this host: the page's CSP allows scripts and workers from 'self' only.
    pdfjs.GlobalWorkerOptions.workerSrc = new URL("../lib/pdfjs/pdf.worker.min.mjs", import.meta.url).href;
    worker = new pdfjs.PDFWorker(); // one for the page: closing a document then leaves it running
  }
  const opening = pdfjs.getDocument({ data: new Uint8Array(await blob.arrayBuffer()), worker, enableXfa: false });
  const pdf = await opening.promise;
  if (load !== loading) { opening.destroy(); return; }
  shown.opening = opening; // destroying it frees the document in the worker
  shown.pdf = pdf;
  shown.pages = pdf.numPages;
  $("viewer-pager").hidden = pdf.numPages < 2;
  await renderPage(1);
}

async function renderPage(number) {
  const { pdf, id } = shown;
  const current = () => shown && shown.pdf === pdf && shown.page === number; // not turned or closed meanwhile
  shown.page = number;
  $("viewer-page").textContent = "Page " + number + " of " + shown.pages;
  $("viewer-prev").disabled = number === 1;
  $("viewer-next").disabled = number === shown.pages;
  const page = await pdf.getPage(number);
  if (!current()) return;
  const body = $("viewer-body");
  const width = Math.max(280, body.clientWidth - 2);
  const scale = width / page.getViewport({ scale: 1 }).width;
  const viewport = page.getViewport({ scale: scale * (window.devicePixelRatio || 1) });
  const canvas = el("canvas", null, "viewer-page");
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", "Page " + number + " of " + shown.pages + " of " + id);
  // The page's text as the canvas's fallback content: what a screen reader reads.
  const text = await page.getTextContent();
  canvas.textContent = text.items.map((i) => i.str).join(" ");
  if (!current()) return;
  if (shown.task) shown.task.cancel();
  const task = page.render({ canvas, viewport });
  shown.task = task;
  await task.promise.catch((e) => { if (e && e.name !== "RenderingCancelledException") throw e; });
  if (shown && shown.task === task) shown.task = null; // done: only a render in flight is cancelled
  if (!current()) return;
  clear(body);
  body.appendChild(canvas);
  status("");
}

function showImage(blob) {
  shown.url = URL.createObjectURL(blob);
  const img = el("img", null, "viewer-image");
  img.src = shown.url;
  img.alt = "The document " + shown.id + " (image)";
  $("viewer-body").appendChild(img);
  status("");
}

function showText(text) {
  const pre = el("pre", text, "excerpt viewer-text");
  pre.tabIndex = 0; // it scrolls: the keyboard must reach it
  pre.setAttribute("aria-label", "The document " + shown.id + " (text)");
  $("viewer-body").appendChild(pre);
  status("");
}

function status(text, kind) {
  $("viewer-status").textContent = text;
  $("viewer-status").dataset.kind = kind || "info";
  $("viewer-status").hidden = !text;
}

function reset() {
  if (shown && shown.task) shown.task.cancel();
  if (shown && shown.opening) shown.opening.destroy();
  if (shown && shown.url) URL.revokeObjectURL(shown.url);
  shown = null;
  clear($("viewer-body"));
  $("viewer-pager").hidden = true;
  status("");
}

// The document viewer's PDF: PDF.js (pdfjs-dist, copied into theme/static/pdfjs/ by the
// theme's build) draws one page at a time on a canvas, with its text layer above; on the
// cited page the passage quoted above the viewer is marked in that text layer and brought
// into view. When the page does not hold it (a scanned page has no text), a note says so
// and the quote above stays the reference.
import { findPassage } from "./passage_match.js";

const viewer = document.querySelector("[data-testid=pdf-viewer]");
if (viewer) start(viewer);

async function start(viewer) {
  const parts = {
    previous: viewer.querySelector("[data-testid=pdf-previous]"),
    next: viewer.querySelector("[data-testid=pdf-next]"),
    number: viewer.querySelector("[data-testid=pdf-page-number]"),
    count: viewer.querySelector("[data-testid=pdf-page-count]"),
    notFound: viewer.querySelector("[data-testid=pdf-passage-not-found]"),
    failed: viewer.querySelector("[data-testid=pdf-failed]"),
    page: viewer.querySelector("[data-testid=pdf-page]"),
  };
  let pdfjs, pdf;
  try {
    pdfjs = await import(viewer.dataset.libraryUrl);
    pdfjs.GlobalWorkerOptions.workerSrc = viewer.dataset.workerUrl;
    // No eval: the page's Content-Security-Policy forbids it.
    pdf = await pdfjs.getDocument({ url: viewer.dataset.fileUrl, isEvalSupported: false }).promise;
  } catch (error) {
    console.warn("PDF.js could not open the document:", error);
    parts.page.hidden = true;
    parts.failed.hidden = false;
    return;
  }
  const cited = {
    page: Number(viewer.dataset.citedPage) || null,
    passage: document.querySelector("[data-testid=pdf-passage]")?.textContent ?? "",
  };
  let wanted = Math.min(Math.max(Number(viewer.dataset.page) || 1, 1), pdf.numPages);
  let drawing = Promise.resolve();
  let drawnWidth = 0;

  const show = (number, { scroll = false } = {}) => {
    wanted = number;
    parts.number.value = number;
    parts.previous.disabled = number <= 1;
    parts.next.disabled = number >= pdf.numPages;
    // One drawing at a time on the canvas; a page asked for meanwhile replaces the queued one.
    drawing = drawing
      .then(() => wanted === number && drawPage(pdfjs, pdf, number, parts, cited, scroll))
      .catch((error) => console.warn("PDF.js could not draw the page:", error));
  };

  parts.count.textContent = pdf.numPages;
  parts.number.max = pdf.numPages;
  parts.number.disabled = false;
  parts.previous.addEventListener("click", () => show(wanted - 1));
  parts.next.addEventListener("click", () => show(wanted + 1));
  parts.number.addEventListener("change", () => {
    const number = Math.round(Number(parts.number.value));
    show(Number.isFinite(number) ? Math.min(Math.max(number, 1), pdf.numPages) : wanted);
  });
  new ResizeObserver(() => {
    if (viewer.clientWidth !== drawnWidth) {
      drawnWidth = viewer.clientWidth;
      show(wanted);
    }
  }).observe(viewer);
  drawnWidth = viewer.clientWidth;
  show(wanted, { scroll: true });
}

/** Draw page `number` at the viewer's width, then mark the passage if it is the cited page. */
async function drawPage(pdfjs, pdf, number, parts, cited, scroll) {
  const page = await pdf.getPage(number);
  const width = page.getViewport({ scale: 1 }).width;
  const viewport = page.getViewport({ scale: parts.page.parentElement.clientWidth / width });
  const ratio = window.devicePixelRatio || 1;
  const canvas = parts.page.querySelector("canvas");
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${Math.floor(viewport.width)}px`;
  canvas.style.height = `${Math.floor(viewport.height)}px`;
  parts.page.style.width = canvas.style.width;
  parts.page.style.setProperty("--total-scale-factor", viewport.scale);

  const layer = parts.page.querySelector(".textLayer");
  layer.replaceChildren();
  const content = await page.getTextContent();
  const text = new pdfjs.TextLayer({ textContentSource: content, container: layer, viewport });
  const transform = ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0];
  await Promise.all([page.render({ canvas, viewport, transform }).promise, text.render()]);

  parts.notFound.hidden = true;
  if (number === cited.page && cited.passage.trim()) {
    const strings = content.items.filter((item) => item.str !== undefined).map((item) => item.str);
    const marks = markPassage(text.textDivs, findPassage(strings, cited.passage));
    parts.notFound.hidden = marks.length > 0;
    if (scroll && marks.length) marks[0].scrollIntoView({ block: "center" });
  }
  parts.page.dataset.drawn = number;
}

/** Wrap each found part of the text layer's spans in a <mark class="passage-highlight">. */
function markPassage(spans, found) {
  return found.map(({ item, start, end }) => {
    const span = spans[item];
    const text = span.textContent;
    const mark = document.createElement("mark");
    mark.className = "passage-highlight";
    mark.textContent = text.slice(start, end);
    span.replaceChildren(text.slice(0, start), mark, text.slice(end));
    return mark;
  });
}

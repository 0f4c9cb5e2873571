// Source cards: where an answer comes from, each one linked to the document viewer.

import { h, prefersReducedMotion, format } from "./dom.js";

const HIGHLIGHT_MS = 2000;
const HIGHLIGHT_CLASSES = ["ring-2", "ring-amber-400", "bg-amber-50"];
const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

export function sourceId(exchangeId, number) {
  return `source-${exchangeId}-${number}`;
}

/**
 * The passage as text nodes, the query's words in <mark>.
 *
 * `highlighted` is the passage escaped by the server with <mark> around matched words; it is
 * split on those two tags and its entities decoded into plain text, never parsed as HTML.
 */
export function highlightedPassage(source) {
  if (typeof source.highlighted !== "string") return [unwrapLines(source.text ?? "")];
  const nodes = [];
  let marked = false;
  for (const part of source.highlighted.split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>") marked = true;
    else if (part === "</mark>") marked = false;
    else if (part) {
      const text = unwrapLines(decodeEntities(part));
      nodes.push(marked ? h("mark", { class: "rounded bg-yellow-100 px-0.5 text-slate-900" }, text) : text);
    }
  }
  return nodes;
}

/** A PDF's hard line breaks become spaces; a blank line still separates paragraphs. */
export function unwrapLines(text) {
  return text.replace(/([^\n])\n(?=[^\n])/g, "$1 ");
}

export function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name) => {
    if (name[0] === "#") {
      const code = name[1].toLowerCase() === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** The list of source cards of one exchange. */
export function sourceList(exchangeId, sources, { strings, api }) {
  const list = h("ol", { class: "mt-2 grid gap-3 lg:grid-cols-2" });
  for (const source of sources) list.append(h("li", {}, sourceCard(exchangeId, source, { strings, api })));
  return list;
}

/** Where the passage is and how relevant it is, on the one scale: "page 2 · relevance 0.91". */
export function sourceMeta(source, strings) {
  const where = source.page ? format(strings.page, { page: source.page }) : source.heading;
  const relevance =
    typeof source.score === "number" ? format(strings.relevance, { score: source.score.toFixed(2) }) : "";
  return [where, relevance].filter(Boolean).join(" · ");
}

function sourceCard(exchangeId, source, { strings, api }) {
  const isCorrection = source.kind === "correction";
  return h(
    "article",
    {
      id: sourceId(exchangeId, source.number),
      "data-testid": "source-card",
      tabindex: "-1",
      class: "h-full rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-sm transition-colors focus:outline-2 focus:outline-indigo-600",
      "aria-label": format(strings.citation, { n: source.number }),
    },
    h(
      "div",
      { class: "flex items-start gap-2" },
      h("span", { class: "shrink-0 rounded bg-indigo-100 px-1.5 py-0.5 text-xs font-semibold text-indigo-800" }, `[${source.number}]`),
      h(
        "div",
        { class: "min-w-0" },
        h("h4", { class: "break-words font-medium text-slate-900" }, source.title || source.filename || ""),
        isCorrection
          ? h("p", { class: "mt-0.5 inline-block rounded bg-emerald-100 px-1.5 text-xs font-medium text-emerald-800" }, strings.validatedSource)
          : h("p", { class: "mt-0.5 text-xs text-slate-600" }, sourceMeta(source, strings)),
      ),
    ),
    h("p", { class: "mt-2 whitespace-pre-line break-words leading-relaxed text-slate-700" }, highlightedPassage(source)),
    source.document_id && !isCorrection
      ? h(
          "a",
          {
            href: api.viewerUrl(source),
            "data-testid": "open-document",
            class: "mt-2 inline-block font-medium text-indigo-700 underline hover:text-indigo-900 focus-visible:outline-2 focus-visible:outline-indigo-600",
          },
          strings.openDocument,
        )
      : null,
  );
}

/** Scroll to the card, mark it for a moment and give it the focus. */
export function showSource(card) {
  card.scrollIntoView({ behavior: prefersReducedMotion() ? "auto" : "smooth", block: "center" });
  card.classList.add(...HIGHLIGHT_CLASSES);
  card.focus({ preventScroll: true });
  clearTimeout(card.highlightTimer);
  card.highlightTimer = setTimeout(() => card.classList.remove(...HIGHLIGHT_CLASSES), HIGHLIGHT_MS);
}

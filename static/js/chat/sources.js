// Sources: where an answer comes from, as chips that open on the passage and link to the viewer.

import { h, prefersReducedMotion, format } from "./dom.js";

const HIGHLIGHT_MS = 2000;
const HIGHLIGHT_CLASSES = ["ring-2", "ring-amber-400", "bg-amber-50"];
// Enough for a chip's line; CSS cuts what the width cannot hold.
const FIRST_WORDS = 16;
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

/** Where the passage is and how relevant it is, on the one scale: "page 2 · relevance 0.91". */
export function sourceMeta(source, strings) {
  const where = source.page ? format(strings.page, { page: source.page }) : source.heading;
  const relevance =
    typeof source.score === "number" ? format(strings.relevance, { score: source.score.toFixed(2) }) : "";
  return [where, relevance].filter(Boolean).join(" · ");
}

/** The numbers of the sources an answer cites first, in order; the others after. */
export function partitionSources(numbers, cited) {
  return {
    cited: numbers.filter((n) => cited.has(n)),
    others: numbers.filter((n) => !cited.has(n)),
  };
}

/** The passage's first words, for a chip's one line (the chip's width cuts the rest). */
export function firstWords(source, count = FIRST_WORDS) {
  const text = typeof source.text === "string"
    ? source.text
    : decodeEntities((source.highlighted ?? "").replace(/<\/?mark>/g, ""));
  const words = text.split(/\s+/).filter(Boolean);
  return words.length > count ? `${words.slice(0, count).join(" ")}…` : words.join(" ");
}

/**
 * The sources of one exchange as one-line chips that open on the passage: those the answer
 * cites first, the others folded under « autres passages ».
 */
export class SourceList {
  constructor(exchangeId, sources, { strings, api }) {
    this.strings = strings;
    this.numbers = sources.map((source) => source.number);
    this.chips = new Map(
      sources.map((source) => [source.number, h("li", {}, sourceChip(exchangeId, source, { strings, api }))]),
    );
    this.citedList = h("ol", { "data-testid": "cited-sources", class: "mt-2 space-y-1.5" });
    this.othersList = h("ol", { class: "mt-1.5 space-y-1.5" });
    this.othersLabel = h("summary", {
      class: "cursor-pointer rounded text-sm font-medium text-slate-700 hover:text-indigo-800 focus-visible:outline-2 focus-visible:outline-indigo-600",
    });
    this.others = h("details", { "data-testid": "other-sources", class: "mt-2" }, this.othersLabel, this.othersList);
    this.element = h("div", {}, this.citedList, this.others);
    this.shown = null;
    this.showCited(new Set());
  }

  /** Move the chips of the sources in `cited` (their numbers) first. */
  showCited(cited) {
    const { cited: first, others } = partitionSources(this.numbers, cited);
    const key = first.join(",");
    if (key === this.shown) return;
    this.shown = key;
    this.citedList.replaceChildren(...first.map((n) => this.chips.get(n)));
    this.citedList.hidden = !first.length;
    this.othersList.replaceChildren(...others.map((n) => this.chips.get(n)));
    this.othersLabel.textContent = format(this.strings.otherPassages, { count: others.length });
    this.others.hidden = !others.length;
  }
}

function sourceChip(exchangeId, source, { strings, api }) {
  const isCorrection = source.kind === "correction";
  const where = source.page ? format(strings.page, { page: source.page }) : source.heading;
  return h(
    "details",
    {
      id: sourceId(exchangeId, source.number),
      "data-testid": "source-card",
      tabindex: "-1",
      class: "group rounded-md border border-slate-200 bg-white text-sm transition-colors focus:outline-2 focus:outline-indigo-600",
    },
    h(
      "summary",
      {
        "aria-label": format(strings.citation, { n: source.number }),
        class: "flex cursor-pointer list-none items-baseline gap-2 rounded-md px-2 py-1.5 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600 [&::-webkit-details-marker]:hidden",
      },
      h("span", { class: "shrink-0 rounded bg-indigo-100 px-1.5 py-0.5 text-xs font-semibold text-indigo-800" }, `[${source.number}]`),
      isCorrection
        ? h("span", { class: "shrink-0 rounded bg-emerald-100 px-1.5 text-xs font-medium text-emerald-800" }, strings.validatedSource)
        : h("span", { class: "min-w-0 max-w-[50%] shrink-0 truncate font-medium text-slate-900" }, source.title || source.filename || ""),
      where ? h("span", { class: "shrink-0 text-xs text-slate-600" }, where) : null,
      h("span", { class: "min-w-0 flex-1 truncate text-slate-600" }, firstWords(source)),
      h("span", { "aria-hidden": "true", class: "shrink-0 text-slate-500 transition-transform group-open:rotate-90" }, "›"),
    ),
    h(
      "div",
      { class: "border-t border-slate-100 px-3 pb-3 pt-2" },
      isCorrection ? null : h("p", { class: "text-xs text-slate-600" }, sourceMeta(source, strings)),
      h("p", { class: "mt-1 whitespace-pre-line break-words leading-relaxed text-slate-700" }, highlightedPassage(source)),
      source.document_id && !isCorrection
        ? h(
            "a",
            {
              href: api.viewerUrl(source),
              target: "_blank",
              rel: "noopener",
              "data-testid": "open-document",
              class: "mt-2 inline-block font-medium text-indigo-700 underline hover:text-indigo-900 focus-visible:outline-2 focus-visible:outline-indigo-600",
            },
            strings.openDocument,
          )
        : null,
    ),
  );
}

/** Open the chip, scroll to it, mark it for a moment and give it the focus. */
export function showSource(card) {
  card.open = true;
  card.scrollIntoView({ behavior: prefersReducedMotion() ? "auto" : "smooth", block: "center" });
  card.classList.add(...HIGHLIGHT_CLASSES);
  card.focus({ preventScroll: true });
  clearTimeout(card.highlightTimer);
  card.highlightTimer = setTimeout(() => card.classList.remove(...HIGHLIGHT_CLASSES), HIGHLIGHT_MS);
}

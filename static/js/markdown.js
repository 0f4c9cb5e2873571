// A small Markdown renderer for the language model's answers, building DOM nodes only.
//
// The answer is untrusted text: every character ends up in a text node, so raw HTML in it
// shows as text. Links keep only http(s) and relative addresses. Citations "[1]" and
// "[1, 2]" become links to their source cards when `citationHref(n)` gives an address. A
// citation check's placeholder (U+E000, its number, U+E001: static/js/chat/checks.js)
// becomes the node `checkMark(number)` gives, or nothing.

const FENCE = /^\s{0,3}(```|~~~)/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;

// Inline constructs, tried at each special character, in this order.
const INLINE = [
  ["mark", /\uE000(\d+)\uE001/y],
  ["code", /`([^`\n]+)`/y],
  ["citations", /\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]/y],
  ["link", /\[([^\]\n]+)\]\(\s*<?([^\s()<>]+)>?\s*\)/y],
  ["strong", /\*\*(?=\S)([\s\S]*?\S)\*\*/y],
  ["strong", /__(?=\S)([\s\S]*?\S)__(?![\p{L}\p{N}])/uy],
  ["em", /\*(?=[^\s*])([\s\S]*?[^\s*])\*/y],
  ["em", /_(?=[^\s_])([\s\S]*?[^\s_])_(?![\p{L}\p{N}])/uy],
];
const SPECIAL = /[`[*_\uE000]/g;
const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/**
 * Render `text` as a DocumentFragment.
 * @param {string} text Markdown, possibly cut in the middle (while it streams).
 * @param {{citationHref?: (n: number) => (string|null), citationTitle?: (n: number) => string,
 *   checkMark?: (n: number) => Node}} options
 */
export function renderMarkdown(text, options = {}) {
  const fragment = document.createDocumentFragment();
  for (const block of parseBlocks(String(text ?? "").replace(/\r\n?/g, "\n"))) {
    fragment.append(renderBlock(block, options));
  }
  return fragment;
}

function parseBlocks(source) {
  const lines = source.split("\n");
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i += 1;
      continue;
    }
    const fence = line.match(FENCE);
    if (fence) {
      const code = [];
      i += 1;
      while (i < lines.length && !lines[i].trimStart().startsWith(fence[1])) {
        code.push(lines[i]);
        i += 1;
      }
      i += 1; // the closing fence, when it has arrived
      blocks.push({ type: "code", text: code.join("\n") });
      continue;
    }
    const heading = line.match(HEADING);
    if (heading) {
      blocks.push({ type: "heading", level: heading[1].length, text: heading[2] });
      i += 1;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ type: "rule" });
      i += 1;
      continue;
    }
    if (QUOTE.test(line)) {
      const quoted = [];
      while (i < lines.length && QUOTE.test(lines[i])) {
        quoted.push(lines[i].match(QUOTE)[1]);
        i += 1;
      }
      blocks.push({ type: "quote", blocks: parseBlocks(quoted.join("\n")) });
      continue;
    }
    if (BULLET.test(line) || NUMBERED.test(line)) {
      const list = readList(lines, i);
      blocks.push(list.block);
      i = list.next;
      continue;
    }
    const paragraph = [];
    while (i < lines.length && lines[i].trim() && !startsBlock(lines[i])) {
      paragraph.push(lines[i].trim());
      i += 1;
    }
    blocks.push({ type: "paragraph", lines: paragraph });
  }
  return blocks;
}

function startsBlock(line) {
  return FENCE.test(line) || HEADING.test(line) || QUOTE.test(line) || RULE.test(line) ||
    BULLET.test(line) || NUMBERED.test(line);
}

function readList(lines, start) {
  const ordered = !BULLET.test(lines[start]);
  const pattern = ordered ? NUMBERED : BULLET;
  const first = lines[start].match(NUMBERED);
  const block = { type: "list", ordered, start: ordered ? Number(first[1]) : 1, items: [] };
  let i = start;
  while (i < lines.length) {
    const line = lines[i];
    const item = line.match(pattern);
    if (item) {
      block.items.push([ordered ? item[2] : item[1]]);
    } else if (line.trim() && !startsBlock(line) && /^\s+/.test(line)) {
      block.items[block.items.length - 1].push(line.trim());
    } else if (!line.trim() && i + 1 < lines.length && pattern.test(lines[i + 1])) {
      // A blank line between two items of the same list.
    } else {
      break;
    }
    i += 1;
  }
  return { block, next: i };
}

function renderBlock(block, options) {
  switch (block.type) {
    case "code": {
      const pre = element("pre", "my-3 overflow-x-auto rounded-md bg-slate-900 p-3 text-sm text-slate-100");
      const code = document.createElement("code");
      code.textContent = block.text;
      pre.append(code);
      return pre;
    }
    case "heading": {
      // The answer sits under the page's own headings: its levels start at h3.
      const level = Math.min(block.level + 2, 6);
      const heading = element(`h${level}`, "mt-4 mb-2 font-semibold text-slate-900 first:mt-0");
      heading.append(...renderInline(block.text, options));
      return heading;
    }
    case "rule":
      return element("hr", "my-4 border-slate-200");
    case "quote": {
      const quote = element("blockquote", "my-3 border-l-4 border-slate-300 pl-3 text-slate-700");
      for (const inner of block.blocks) quote.append(renderBlock(inner, options));
      return quote;
    }
    case "list": {
      const list = element(
        block.ordered ? "ol" : "ul",
        block.ordered ? "my-3 list-decimal space-y-1 pl-6" : "my-3 list-disc space-y-1 pl-6",
      );
      if (block.ordered && block.start !== 1) list.start = block.start;
      for (const lines of block.items) {
        const item = document.createElement("li");
        appendLines(item, lines, options);
        list.append(item);
      }
      return list;
    }
    default: {
      const paragraph = element("p", "my-3 first:mt-0 last:mb-0");
      appendLines(paragraph, block.lines, options);
      return paragraph;
    }
  }
}

function appendLines(parent, lines, options) {
  lines.forEach((line, index) => {
    if (index > 0) parent.append(document.createElement("br"));
    parent.append(...renderInline(line, options));
  });
}

/** The nodes of one line of inline Markdown. */
export function renderInline(text, options = {}) {
  const nodes = [];
  let literal = "";
  let position = 0;
  const flush = () => {
    if (literal) nodes.push(document.createTextNode(literal));
    literal = "";
  };
  while (position < text.length) {
    SPECIAL.lastIndex = position;
    const special = SPECIAL.exec(text);
    if (!special) break;
    literal += text.slice(position, special.index);
    position = special.index;
    const found = matchInline(text, position, options);
    if (found) {
      flush();
      nodes.push(...found.nodes);
      position = found.end;
    } else {
      literal += text[position];
      position += 1;
    }
  }
  literal += text.slice(position);
  flush();
  return nodes;
}

function matchInline(text, position, options) {
  for (const [kind, pattern] of INLINE) {
    if (kind === "em" && pattern.source.startsWith("_") && WORD_CHARACTER.test(text[position - 1] ?? "")) {
      continue; // snake_case words are not emphasis
    }
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (!match) continue;
    const nodes = inlineNodes(kind, match, options);
    if (nodes) return { nodes, end: pattern.lastIndex };
  }
  return null;
}

function inlineNodes(kind, match, options) {
  switch (kind) {
    case "code": {
      const code = element("code", "rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.9em] text-slate-800");
      code.textContent = match[1];
      return [code];
    }
    case "citations":
      return citationNodes(match[1], options);
    case "mark":
      return options.checkMark ? [options.checkMark(Number(match[1]))] : [];
    case "link": {
      const href = safeHref(match[2]);
      if (href === null) return null;
      const link = element("a", "text-indigo-700 underline hover:text-indigo-900");
      link.href = href;
      link.rel = "noopener noreferrer";
      if (/^https?:/i.test(href)) link.target = "_blank";
      link.append(...renderInline(match[1], options));
      return [link];
    }
    default: {
      const emphasis = element(kind === "strong" ? "strong" : "em", kind === "strong" ? "font-semibold" : "");
      emphasis.append(...renderInline(match[1], options));
      return [emphasis];
    }
  }
}

function citationNodes(list, options) {
  const numbers = list.split(/\s*[,;]\s*/).map(Number);
  const hrefs = numbers.map((n) => (options.citationHref ? options.citationHref(n) : null));
  if (hrefs.some((href) => !href)) return null; // not a citation of a known source: text
  return numbers.map((n, index) => {
    const link = element(
      "a",
      "mx-px rounded px-0.5 align-super text-xs font-semibold text-indigo-700 no-underline hover:bg-indigo-50 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600",
    );
    link.href = hrefs[index];
    link.dataset.testid = "citation";
    link.dataset.citation = String(n);
    if (options.citationTitle) link.title = options.citationTitle(n);
    link.textContent = `[${n}]`;
    return link;
  });
}

/** `url` if it is http(s) or relative, else null (javascript:, data:, mailto:…). */
export function safeHref(url) {
  // Browsers ignore control characters and surrounding spaces in a scheme: so do we.
  const cleaned = String(url).replace(/[\u0000-\u0020\u007f]/g, "");
  if (/^https?:\/\/[^/]/i.test(cleaned)) return cleaned;
  if (/^[/\\]{2}|^\\/.test(cleaned)) return null; // another host, however spelt
  if (/^[^/?#]*:/.test(cleaned)) return null;
  return cleaned || null;
}

function element(tag, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

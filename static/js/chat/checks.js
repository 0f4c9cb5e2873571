// The citation check shown in an answer: a small mark after each flagged sentence, whose
// explanation shows on hover and on keyboard focus, and a line saying what was checked.

import { h } from "./dom.js";

// Placeholders the renderer turns into marks (static/js/markdown.js, "mark"): characters of
// Unicode's private use area, taken out of the answer first.
const OPEN = "\uE000";
const CLOSE = "\uE001";
const PLACEHOLDERS = /[\uE000\uE001]/g;

/**
 * The flagged sentences of the `done` message's `checks`, and `text` with a placeholder
 * after each of them, numbered in that order.
 * @returns {{text: string, flagged: Array<{text: string, flags: Array<{message: string}>}>}}
 */
export function placeCheckMarks(text, checks) {
  let marked = String(text ?? "").replace(PLACEHOLDERS, "");
  const sentences = Array.isArray(checks?.sentences) ? checks.sentences : [];
  const flagged = [];
  const ends = [];
  let cursor = 0;
  for (const sentence of sentences) {
    if (typeof sentence?.text !== "string" || !sentence.text) continue;
    const start = marked.indexOf(sentence.text, cursor);
    if (start < 0) continue;
    cursor = start + sentence.text.length;
    const messages = (Array.isArray(sentence.flags) ? sentence.flags : [])
      .map((flag) => flag?.message)
      .filter((message) => typeof message === "string" && message);
    if (!messages.length) continue;
    ends.push(cursor);
    flagged.push({ text: sentence.text, messages });
  }
  for (let index = ends.length - 1; index >= 0; index -= 1) {
    marked = `${marked.slice(0, ends[index])}${OPEN}${index}${CLOSE}${marked.slice(ends[index])}`;
  }
  return { text: marked, flagged };
}

/**
 * The mark of one flagged sentence: a button reached with Tab, its explanation a tooltip
 * that hover and focus show, and that the button's description reads out.
 */
export function checkMark(sentence, { id, label }) {
  const tip = h("span", {
    id,
    role: "tooltip",
    "data-testid": "check-explanation",
    class: "pointer-events-none absolute bottom-full left-1/2 z-10 mb-1 hidden w-64 max-w-[80vw] -translate-x-1/2 rounded-md bg-slate-900 px-3 py-2 text-left text-xs font-normal leading-snug text-white shadow-lg group-hover:block group-focus-within:block",
  }, ...sentence.messages.flatMap((message, index) => (index ? [h("br"), message] : [message])));
  const button = h("button", {
    type: "button",
    "data-testid": "check-mark",
    "aria-label": label,
    "aria-describedby": id,
    class: "mx-0.5 inline-flex h-4 w-4 items-center justify-center rounded-full bg-amber-100 align-super text-[0.65rem] font-bold leading-none text-amber-900 ring-1 ring-amber-400 hover:bg-amber-200 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-600",
  }, "!");
  return h("span", { class: "group relative inline-block", "data-testid": "check" }, button, tip);
}

/** The line below the answer saying what the check did, or null when there is nothing to say. */
export function checkSummary(checks, strings) {
  const text = {
    checked: checks?.flagged ? strings.checkFlagged : strings.checkClean,
    extractive: strings.checkExtractive,
    correction: strings.checkCorrection,
  }[checks?.status];
  if (!text) return null;
  return h("p", { "data-testid": "check-summary", "data-flagged": String(Boolean(checks.flagged)), class: "mt-2 text-xs text-slate-600" }, text);
}

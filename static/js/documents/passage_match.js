// Where a cited passage lies in a PDF page's text layer.
//
// The passage comes from the text the indexing extracted, the page's text from PDF.js: the
// two differ in spacing, line breaks, hyphenation at line ends, ligatures and quote marks.
// Both are compared on their letters and digits only, without case nor accents, so those
// differences vanish; on passages of a few words, the letters alone still point at one
// place.

// Under this many letters and digits, a beginning of the passage proves nothing.
const MIN_PREFIX = 40;

/** What one character compares as: its letters and digits without case nor accents (none
 * for a space or a hyphen, two for a ligature). */
function comparable(character) {
  return character
    .normalize("NFKD")
    .replace(/[^\p{L}\p{N}]/gu, "")
    .toLowerCase();
}

/** `items` (the page's strings) as one comparable string, and where each of its characters
 * comes from: [item index, offset in the item]. */
function pageIndex(items) {
  let text = "";
  const origins = [];
  items.forEach((item, itemIndex) => {
    for (let offset = 0; offset < item.length; offset += 1) {
      for (const kept of comparable(item[offset])) {
        text += kept;
        origins.push([itemIndex, offset]);
      }
    }
  });
  return { text, origins };
}

function comparableText(text) {
  return Array.from(text, comparable).join("");
}

/** The passage, then the passage without a heading line the chunking wrote above it, then
 * ever shorter beginnings of it: a passage that runs onto the next page is found by the part
 * the page holds. */
function* candidates(passage) {
  const whole = comparableText(passage);
  yield whole;
  const lines = passage.trim().split("\n");
  if (lines.length > 1) yield comparableText(lines.slice(1).join("\n"));
  const words = passage.trim().split(/\s+/);
  for (let count = words.length - 1; count > 0; count -= 1) {
    const beginning = comparableText(words.slice(0, count).join(" "));
    if (beginning.length < MIN_PREFIX) return;
    yield beginning;
  }
}

/**
 * The parts of `items` (the strings of a page's text layer, in order) that hold `passage`:
 * a list of { item, start, end } (offsets in that item's string), empty when the page does
 * not hold it.
 */
export function findPassage(items, passage) {
  const page = pageIndex(items);
  for (const candidate of candidates(passage)) {
    if (!candidate) continue;
    const at = page.text.indexOf(candidate);
    if (at === -1) continue;
    const parts = [];
    for (const [item, offset] of page.origins.slice(at, at + candidate.length)) {
      const last = parts[parts.length - 1];
      if (last && last.item === item) last.end = offset + 1;
      else parts.push({ item, start: offset, end: offset + 1 });
    }
    return parts;
  }
  return [];
}

// node --test chat/tests/js/ — the notes shown below an answer.
import assert from "node:assert/strict";
import { test } from "node:test";

import { html } from "./fake_dom.mjs";

const { answerNotices } = await import("../../../static/js/chat/exchange.js");

test("each notice of the done message becomes a note below the answer, as text", () => {
  const notes = answerNotices(["Attention : « <Circulaire> » n'est plus en vigueur après le 31 décembre 2026."]);
  assert.equal(notes.length, 1);
  assert.match(html(notes[0]), /^<p role="note"[^>]*>Attention : « &lt;Circulaire&gt; » n'est plus en vigueur après le 31 décembre 2026\.<\/p>$/);
});

test("a done message without notices, or with malformed ones, adds no note", () => {
  assert.deepEqual(answerNotices(undefined), []);
  assert.deepEqual(answerNotices([null, 3, ""]), []);
});

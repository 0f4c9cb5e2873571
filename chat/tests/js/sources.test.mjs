// node --test chat/tests/js/ — source cards show passages as text, marks as nodes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { html } from "./fake_dom.mjs";

const { h } = await import("../../../static/js/chat/dom.js");
const { highlightedPassage } = await import("../../../static/js/chat/sources.js");
const render = (source) => html(h("p", {}, highlightedPassage(source)));

test("a PDF's hard line breaks read as one paragraph, a blank line still separates two", () => {
  assert.equal(render({ text: "les agents à temps\nplein.\n\nSuite" }), "<p>les agents à temps plein.\n\nSuite</p>");
});

test("the server's marks become mark nodes and its escaped text stays text", () => {
  const source = { highlighted: "le <mark>télétravail</mark> &lt;img src=x&gt;" };
  assert.equal(render(source), "<p>le <mark>télétravail</mark> &lt;img src=x&gt;</p>");
});

test("a source card says where its passage is and how relevant, on the one scale", async () => {
  const { sourceMeta } = await import("../../../static/js/chat/sources.js");
  const strings = { page: "page {page}", relevance: "relevance {score}" };
  assert.equal(sourceMeta({ page: 2, score: 0.912 }, strings), "page 2 · relevance 0.91");
  assert.equal(sourceMeta({ heading: "Congés", score: 1 }, strings), "Congés · relevance 1.00");
});

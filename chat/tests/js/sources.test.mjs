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

test("the sources the answer cites come first, the others after, each in its order", async () => {
  const { partitionSources } = await import("../../../static/js/chat/sources.js");
  assert.deepEqual(partitionSources([1, 2, 3, 4, 5], new Set([4, 2])), { cited: [2, 4], others: [1, 3, 5] });
  assert.deepEqual(partitionSources([1, 2], new Set()), { cited: [], others: [1, 2] });
});

test("a chip's line gives the passage's first words, without the server's marks", async () => {
  const { firstWords } = await import("../../../static/js/chat/sources.js");
  assert.equal(firstWords({ text: "Le télétravail est autorisé\ndeux jours" }, 4), "Le télétravail est autorisé…");
  assert.equal(firstWords({ highlighted: "le <mark>télétravail</mark> &lt;b&gt;" }), "le télétravail <b>");
});

test("cited chips are listed first, the others folded, and a document opens in a new tab", async () => {
  const { SourceList } = await import("../../../static/js/chat/sources.js");
  const strings = { page: "page {page}", relevance: "relevance {score}", citation: "Source {n}", otherPassages: "Other passages ({count})", openDocument: "Open" };
  const api = { viewerUrl: (source) => `/documents/${source.document_id}/` };
  const sources = [1, 2, 3].map((number) => ({ number, id: `p${number}`, document_id: 9, title: `Guide ${number}`, page: number, text: "Texte", score: 0.5 }));
  const list = new SourceList(7, sources, { strings, api });
  list.showCited(new Set([2]));

  assert.deepEqual(list.citedList.querySelectorAll("details").map((chip) => chip.attributes.id), ["source-7-2"]);
  assert.deepEqual(list.othersList.querySelectorAll("details").map((chip) => chip.attributes.id), ["source-7-1", "source-7-3"]);
  assert.equal(list.othersLabel.textContent, "Other passages (2)");
  const link = list.citedList.querySelectorAll("a")[0];
  assert.equal(link.attributes.target, "_blank");
  assert.equal(link.attributes.rel, "noopener");
});

test("a validated answer's chip says « Réponse validée » once, in the reader's language", async () => {
  const { SourceList } = await import("../../../static/js/chat/sources.js");
  const strings = { citation: "Source {n}", otherPassages: "Other passages ({count})", validatedSource: "Validated answer" };
  const correction = { number: 1, id: "c1", kind: "correction", title: "Réponse validée", text: "Oui." };
  const list = new SourceList(7, [correction], { strings, api: {} });
  list.showCited(new Set([1]));

  const chip = list.citedList.querySelectorAll("details")[0].textContent;
  assert.equal(chip.split("Validated answer").length - 1, 1);
  assert.ok(!chip.includes("Réponse validée"));
});

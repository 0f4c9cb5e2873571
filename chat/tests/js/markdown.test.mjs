// node --test chat/tests/js/ — the answer renderer builds nodes, never HTML from the text.
import assert from "node:assert/strict";
import { test } from "node:test";

import { html } from "./fake_dom.mjs";

const { renderMarkdown, safeHref } = await import("../../../static/js/markdown.js");

const sources = { citationHref: (n) => (n <= 2 ? `#source-7-${n}` : null) };
const render = (text) => html(renderMarkdown(text, sources));

test("raw HTML in the answer shows as text", () => {
  const rendered = renderMarkdown('<script>alert(1)</script><img src=x onerror="alert(1)">', sources);
  assert.equal(rendered.querySelectorAll("script").length, 0);
  assert.equal(rendered.querySelectorAll("img").length, 0);
  assert.equal(rendered.textContent, '<script>alert(1)</script><img src=x onerror="alert(1)">');
});

test("bold, italic and code", () => {
  assert.equal(render("**gras**, *italique*, `x < y`"), "<p><strong>gras</strong>, <em>italique</em>, <code>x &lt; y</code></p>");
});

test("underscores inside words are not emphasis", () => {
  assert.equal(render("nom_de_fichier et _ceci_"), "<p>nom_de_fichier et <em>ceci</em></p>");
});

test("paragraphs, line breaks and headings under the page's own", () => {
  assert.equal(render("# Titre\nun\ndeux\n\ntrois"), "<h3>Titre</h3><p>un<br>deux</p><p>trois</p>");
});

test("ordered and unordered lists", () => {
  assert.equal(render("- a\n- b\n\n3. c\n4. d"), '<ul><li>a</li><li>b</li></ul><ol start="3"><li>c</li><li>d</li></ol>');
});

test("fenced code keeps its text as is, even unfinished while it streams", () => {
  assert.equal(render("```\n<b>**x**</b>\n```"), "<pre><code>&lt;b&gt;**x**&lt;/b&gt;</code></pre>");
  assert.equal(render("```\nen cours"), "<pre><code>en cours</code></pre>");
});

test("citations link to their source cards", () => {
  assert.equal(
    render("Deux jours [1, 2]."),
    '<p>Deux jours <a href="#source-7-1" data-testid="citation" data-citation="1">[1]</a>' +
      '<a href="#source-7-2" data-testid="citation" data-citation="2">[2]</a>.</p>',
  );
});

test("a number that is no source stays text", () => {
  assert.equal(render("voir [3] et [1, 3]"), "<p>voir [3] et [1, 3]</p>");
});

test("links keep only http(s) and relative addresses, opened without opener", () => {
  assert.equal(
    render("[site](https://example.org) [doc](/documents/1/)"),
    '<p><a href="https://example.org" rel="noopener noreferrer" target="_blank">site</a> ' +
      '<a href="/documents/1/" rel="noopener noreferrer">doc</a></p>',
  );
  assert.equal(render("[x](javascript:alert(1))"), "<p>[x](javascript:alert(1))</p>");
  for (const url of ["javascript:alert(1)", "JaVa\tScRiPt:x", "data:text/html,x", "//evil.example", "/\\evil.example", "mailto:a@b"]) {
    assert.equal(safeHref(url), null, url);
  }
});

test("an unfinished emphasis shows its marks until it closes", () => {
  assert.equal(render("**pas encore"), "<p>**pas encore</p>");
});

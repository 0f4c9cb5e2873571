// node --test chat/tests/js/ — the citation check's marks in an answer, and the line below it.
import assert from "node:assert/strict";
import { test } from "node:test";

import { html } from "./fake_dom.mjs";

const { renderMarkdown } = await import("../../../static/js/markdown.js");
const { checkMark, checkSummary, placeCheckMarks } = await import("../../../static/js/chat/checks.js");

const ANSWER = "La prestation est de 2,50 € [1]. Le télétravail est possible deux jours par semaine [2].";
const CHECKS = {
  status: "checked",
  checked: 2,
  flagged: 1,
  sentences: [
    { text: "La prestation est de 2,50 € [1].", flags: [{ code: "figure_missing", message: "montant « 2,50 € » introuvable dans la source [1]" }] },
    { text: "Le télétravail est possible deux jours par semaine [2].", flags: [] },
  ],
};
const marks = (text, checks) => {
  const placed = placeCheckMarks(text, checks);
  return renderMarkdown(placed.text, {
    citationHref: (n) => `#source-7-${n}`,
    checkMark: (n) => checkMark(placed.flagged[n], { id: `check-7-${n}`, label: "Phrase à vérifier" }),
  });
};

test("a flagged sentence is followed by a button described by its explanation", () => {
  const rendered = html(marks(ANSWER, CHECKS));
  assert.match(
    rendered,
    /\[1\]<\/a>\.<span data-testid="check"><button type="button" data-testid="check-mark" aria-label="Phrase à vérifier" aria-describedby="check-7-0">!<\/button><span id="check-7-0" role="tooltip" data-testid="check-explanation">montant « 2,50 € » introuvable dans la source \[1\]<\/span><\/span> Le télétravail/,
  );
  assert.equal((rendered.match(/data-testid="check-mark"/g) ?? []).length, 1);
});

test("a sentence with several flags lists every explanation", () => {
  const checks = { status: "checked", flagged: 1, sentences: [{ text: "Sans source.", flags: [{ message: "phrase sans citation" }, { message: "autre" }] }] };
  assert.match(html(marks("Sans source.", checks)), /role="tooltip"[^>]*>phrase sans citation<br>autre<\/span>/);
});

test("without checks, or with checks that do not match the text, the answer is unchanged", () => {
  const plain = html(renderMarkdown(ANSWER, { citationHref: (n) => `#source-7-${n}` }));
  assert.equal(html(marks(ANSWER, null)), plain);
  assert.equal(html(marks(ANSWER, { sentences: [{ text: "Autre chose.", flags: [{ message: "x" }] }, null, 3] })), plain);
});

test("the placeholders' characters in the answer itself are dropped, never marks", () => {
  const placed = placeCheckMarks("Texte \uE0000\uE001 piégé.", null);
  assert.equal(placed.text, "Texte 0 piégé.");
  assert.deepEqual(placed.flagged, []);
});

test("the explanation is text, whatever it holds", () => {
  const checks = { sentences: [{ text: "Phrase.", flags: [{ message: "<img src=x onerror=alert(1)>" }] }] };
  const rendered = marks("Phrase.", checks);
  assert.equal(rendered.querySelectorAll("img").length, 0);
  assert.match(html(rendered), /&lt;img src=x onerror=alert\(1\)&gt;/);
});

test("the line below the answer says whether it was checked, and what it is when not", () => {
  const strings = { checkFlagged: "À vérifier", checkClean: "Rien à signaler", checkExtractive: "Extraits", checkCorrection: "Validée" };
  assert.equal(checkSummary(CHECKS, strings).textContent, "À vérifier");
  assert.equal(checkSummary({ ...CHECKS, flagged: 0 }, strings).textContent, "Rien à signaler");
  assert.equal(checkSummary({ status: "extractive" }, strings).textContent, "Extraits");
  assert.equal(checkSummary({ status: "correction" }, strings).textContent, "Validée");
  assert.equal(checkSummary({ status: "no_answer" }, strings), null);
  assert.equal(checkSummary(null, strings), null);
});

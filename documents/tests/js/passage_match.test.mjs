// node --test documents/tests/js/ — a cited passage found in a PDF page's text layer.
import assert from "node:assert/strict";
import { test } from "node:test";

const { findPassage } = await import("../../../static/js/documents/passage_match.js");

/** The text each found part covers, joined. */
function found(items, passage) {
  return findPassage(items, passage)
    .map(({ item, start, end }) => items[item].slice(start, end))
    .join("|");
}

test("a passage laid out over several lines is found across the layer's spans", () => {
  const items = ["Travail à distance.", "Le télétravail est autorisé deux jours par", "semaine pour les agents."];
  const passage = "Le télétravail est autorisé deux jours par semaine pour les agents.";
  assert.equal(found(items, passage), "Le télétravail est autorisé deux jours par|semaine pour les agents");
});

test("the parts name the spans and the offsets in them", () => {
  const items = ["Titre", "Avant le passage cité ici", "et la suite."];
  assert.deepEqual(findPassage(items, "le passage cité ici et la suite"), [
    { item: 1, start: 6, end: 25 },
    { item: 2, start: 0, end: 11 },
  ]);
});

test("a word cut by a hyphen at the end of a line matches the word whole", () => {
  const items = ["La demande fait l'objet d'une recon-", "naissance écrite du chef de service."];
  const passage = "La demande fait l'objet d'une reconnaissance écrite du chef de service.";
  assert.equal(found(items, passage), "La demande fait l'objet d'une recon|naissance écrite du chef de service");
});

test("soft hyphens, extra or missing spaces and line breaks do not matter", () => {
  const items = ["Les  agents à temps\u00adplein", "ont droità vingt jours."];
  assert.notEqual(found(items, "Les agents à tempsplein\n ont droit à vingt\njours."), "");
});

test("case, accents, ligatures and quote marks do not matter", () => {
  const items = ["L’AGENT BÉNÉFICIE D’UNE ﬁCHE DE POSTE"];
  assert.equal(found(items, "l'agent bénéficie d'une fiche de poste"), items[0]);
});

test("a passage that runs onto the next page is found by its beginning on this one", () => {
  const items = ["Chaque agent dispose de vingt-quatre heures de formation par an,"];
  const passage = `${items[0]} à demander dans l'application de gestion des formations.`;
  assert.equal(found(items, passage), "Chaque agent dispose de vingt-quatre heures de formation par an");
});

test("a heading line the chunking wrote above the passage may be missing from the page", () => {
  const items = ["Le télétravail est possible deux jours par semaine."];
  assert.notEqual(found(items, "Télétravail\nLe télétravail est possible deux jours par semaine."), "");
});

test("a page without the passage, or without text (a scan), gives nothing", () => {
  assert.deepEqual(findPassage(["Formation continue."], "Le télétravail est autorisé deux jours par semaine."), []);
  assert.deepEqual(findPassage([], "Le télétravail est autorisé deux jours par semaine."), []);
});

test("a few words in common are not taken for the passage", () => {
  const items = ["Le télétravail est autorisé le lundi."];
  assert.deepEqual(findPassage(items, "Le télétravail est autorisé deux jours par semaine."), []);
});

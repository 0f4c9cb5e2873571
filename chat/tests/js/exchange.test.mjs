// node --test chat/tests/js/ — the notes shown below an answer, and a saved exchange shown again.
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

const { ExchangeView } = await import("../../../static/js/chat/exchange.js");
const strings = { cancelled: "Réponse interrompue.", failed: "Cette question n'a pas reçu de réponse.", retry: "Réessayer", sources: "Sources", you: "Vous", assistant: "Cassandre", searching: "Recherche…", validatedAnswer: "Réponse validée", citation: "Source {n}", otherPassages: "Autres passages ({count})" };
const saved = (status) => ({ id: 3, question: "Combien de jours ?", answer: "", sources: [], status, validated: false, feedback: null });

for (const status of ["failed", "cancelled"]) {
  test(`a reopened exchange that ${status === "failed" ? "failed" : "was cancelled"} offers « Réessayer » when it is the last`, () => {
    const asked = [];
    const view = ExchangeView.fromSaved(saved(status), { strings, api: {}, onRetry: (question) => asked.push(question) });
    assert.equal(view.retry.hidden, false);
    assert.match(html(view.retry), /data-testid="retry"[^>]*>Réessayer</);
  });
}

test("a reopened exchange that failed, but is not the last, offers no « Réessayer »", () => {
  const view = ExchangeView.fromSaved(saved("failed"), { strings, api: {} });
  assert.equal(view.retry.hidden, true);
  assert.match(html(view.element), /role="alert"[^>]*>Cette question n'a pas reçu de réponse\.</);
});

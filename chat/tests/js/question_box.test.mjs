// node --test chat/tests/js/ — the question box counts characters as the server does.
import assert from "node:assert/strict";
import { test } from "node:test";

const { questionLength } = await import("../../../static/js/chat/question_box.js");

test("the counter counts the question as the server checks it: spaces collapsed, ends trimmed", () => {
  assert.equal(questionLength("  Combien de jours\n\nde   congés ?  "), "Combien de jours de congés ?".length);
  assert.equal(questionLength("   "), 0);
});

test("an accented letter or an emoji counts as one character, as in Python", () => {
  assert.equal(questionLength("congé 🏖"), 7);
});

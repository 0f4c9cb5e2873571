// node --test chat/tests/js/ — a conversation's own address, written and read back.
import assert from "node:assert/strict";
import { test } from "node:test";

const { conversationInUrl, conversationUrl } = await import("../../../static/js/chat/address.js");
const PATTERN = "/chat/c/0/";

test("a conversation's address puts its id in the page's pattern", () => {
  assert.equal(conversationUrl(PATTERN, 42), "/chat/c/42/");
});

test("reading an address back gives the conversation it shows", () => {
  assert.equal(conversationInUrl(PATTERN, "/chat/c/42/"), 42);
});

test("the search page, or an address that only looks like a conversation's, shows none", () => {
  for (const path of ["/chat/search/", "/chat/search/rh/", "/chat/c/0/", "/chat/c/4/2/", "/chat/c/x/", "/chat/c/"]) {
    assert.equal(conversationInUrl(PATTERN, path), null, path);
  }
});

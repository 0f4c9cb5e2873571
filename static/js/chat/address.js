// The page's address: a conversation lives at its own URL (/chat/c/<id>/), for reloads and Back.

/** The address of conversation `id`, from the page's pattern with 0 in place of the id. */
export function conversationUrl(pattern, id) {
  return pattern.replace("/0/", `/${encodeURIComponent(id)}/`);
}

/** The conversation an address shows, or null when it is not a conversation's address. */
export function conversationInUrl(pattern, pathname) {
  const [before, after] = pattern.split("/0/");
  if (!pathname.startsWith(`${before}/`) || !pathname.endsWith(`/${after}`)) return null;
  const id = pathname.slice(before.length + 1, pathname.length - after.length - 1);
  return /^[1-9]\d*$/.test(id) ? Number(id) : null;
}

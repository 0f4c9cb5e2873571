// Calls to Cassandre's REST API with the session and the CSRF token.

/** A refused or failed call; `detail` is the server's message for the user, when it gave one. */
export class ApiError extends Error {
  constructor(detail, status) {
    super(detail || `HTTP ${status}`);
    this.detail = detail || "";
  }
}

export function createApi(config) {
  const { urls, csrfToken } = config;
  const withId = (url, id) => url.replace("/0/", `/${encodeURIComponent(id)}/`);

  async function request(url, { method = "GET", body } = {}) {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...(method === "GET" ? {} : { "X-CSRFToken": csrfToken }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(typeof data?.detail === "string" ? data.detail : "", response.status);
    return data;
  }

  return {
    /** A page of conversations: the first, or the one at `next` of the previous page. */
    conversations: (next) => request(next || urls.conversations),
    conversation: (id) => request(withId(urls.conversation, id)),
    rate: (exchangeId, rating, comment = "") =>
      request(withId(urls.feedback, exchangeId), { method: "POST", body: { rating, comment } }),
    propose: (exchangeId, answer) =>
      request(withId(urls.proposals, exchangeId), { method: "POST", body: { answer } }),
    viewerUrl(source) {
      const query = new URLSearchParams();
      if (source.page) query.set("page", source.page);
      query.set("passage", source.id);
      return `${withId(urls.viewer, source.document_id)}?${query}`;
    },
  };
}

// Live indexing progress on the admin document list.
//
// Each row holds a bar `[data-testid=progress-<id>]` (role=progressbar, data-status), a
// status label `[data-status-label=<id>]` and may hold a slot `[data-reason=<id>]` showing
// why a document failed or waits (the message's `error`), hidden when there is no reason. Updates come from the staff websocket and, while
// a shown document is still pending or processing, from polling the progress endpoint
// every 2 s: with the in-memory channel layer, messages sent from the worker's thread may
// never reach this page's socket. Both give the same message shape:
// {document, category, status, progress, chunks, error, near_duplicate}.
//
// On the upload page, each accepted file also has a slot `[data-offer=<id>]`: when the
// indexed document turns out to be almost the text of another one (near_duplicate:
// {document, title, percent, merge_url, keep_url}), it offers to make it that document's
// new version, or to keep both, as buttons posting to the admin.

const POLL_INTERVAL = 2000;
const UNFINISHED = new Set(["pending", "processing"]);

const strings = JSON.parse(document.getElementById("progress-strings")?.textContent ?? "null");
const bars = new Map(
  Array.from(document.querySelectorAll("[role=progressbar][data-document]"), (bar) => [
    bar.dataset.document,
    bar,
  ]),
);
const live = document.getElementById("progress-live");

function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
}

function labelFor(message) {
  const label = strings.labels[message.status] ?? message.status;
  if (message.status === "processing") return format(strings.processing, { label, progress: message.progress });
  if (message.status === "failed") return format(strings.failed, { label });
  return label;
}

function update(message) {
  const bar = bars.get(String(message.document));
  if (!bar) return;
  const previous = bar.dataset.status;
  const progress = message.status === "indexed" ? 100 : Math.max(0, Math.min(100, Number(message.progress) || 0));
  bar.dataset.status = message.status;
  bar.setAttribute("aria-valuenow", String(progress));
  const fill = bar.firstElementChild;
  if (fill) fill.style.width = `${progress}%`;
  const badge = document.querySelector(`[data-status-label="${CSS.escape(String(message.document))}"]`);
  if (badge) {
    badge.textContent = labelFor(message);
    badge.title = message.status === "failed" ? message.error || "" : "";
  }
  reason(message);
  if (live && previous !== message.status && !UNFINISHED.has(message.status)) {
    const title = bar.dataset.title ?? "";
    const finished = format(strings.finished, { title, label: strings.labels[message.status] ?? message.status });
    live.textContent = message.status === "failed" && message.error ? `${finished} ${message.error}` : finished;
  }
  offer(message);
}

function reason(message) {
  const slot = document.querySelector(`[data-reason="${CSS.escape(String(message.document))}"]`);
  if (!slot) return;
  const text = message.error || "";
  slot.dataset.status = message.status;
  slot.textContent = text;
  slot.title = text;
  slot.hidden = !text;
}

function postButton(action, label, testid) {
  const form = document.createElement("form");
  form.method = "post";
  form.action = action;
  const token = document.createElement("input");
  token.type = "hidden";
  token.name = "csrfmiddlewaretoken";
  token.value = document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";
  const button = document.createElement("button");
  button.type = "submit";
  button.dataset.testid = testid;
  button.className = "rounded text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600";
  button.textContent = label;
  form.append(token, button);
  return form;
}

function offer(message) {
  const slot = document.querySelector(`[data-offer="${CSS.escape(String(message.document))}"]`);
  if (!slot || message.near_duplicate === undefined) return;
  const near = message.near_duplicate;
  if (!near) {
    slot.hidden = true;
    slot.replaceChildren();
    return;
  }
  const values = { title: near.title, percent: near.percent };
  const text = document.createElement("span");
  text.textContent = format(strings.near_duplicate, values);
  if (live && slot.hidden) live.textContent = `${live.textContent} ${text.textContent}`.trim();
  slot.replaceChildren(
    text,
    postButton(near.merge_url, format(strings.merge, values), "merge"),
    postButton(near.keep_url, strings.keep_apart, "keep-apart"),
  );
  slot.hidden = false;
}

function unfinishedIds() {
  return Array.from(bars.values())
    .filter((bar) => UNFINISHED.has(bar.dataset.status))
    .map((bar) => bar.dataset.document);
}

async function poll() {
  const ids = unfinishedIds();
  if (ids.length === 0) return;
  try {
    const response = await fetch(`${strings.endpoint}?ids=${ids.join(",")}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (response.ok) {
      const data = await response.json();
      data.documents.forEach(update);
    }
  } finally {
    if (unfinishedIds().length > 0) setTimeout(poll, POLL_INTERVAL);
  }
}

function listen() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  let socket;
  try {
    socket = new WebSocket(`${scheme}://${window.location.host}${strings.socket}`);
  } catch {
    return;
  }
  socket.addEventListener("message", (event) => {
    try {
      update(JSON.parse(event.data));
    } catch {
      // A malformed message changes nothing; the polling keeps the bars right.
    }
  });
}

if (strings && bars.size > 0) {
  listen();
  if (unfinishedIds().length > 0) setTimeout(poll, POLL_INTERVAL);
}

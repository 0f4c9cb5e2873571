// Live indexing progress on the admin document list.
//
// Each row holds a bar `[data-testid=progress-<id>]` (role=progressbar, data-status) and a
// status label `[data-status-label=<id>]`. Updates come from the staff websocket and, while
// a shown document is still pending or processing, from polling the progress endpoint
// every 2 s: with the in-memory channel layer, messages sent from the worker's thread may
// never reach this page's socket. Both give the same message shape:
// {document, category, status, progress, chunks, error}.

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
  if (live && previous !== message.status && !UNFINISHED.has(message.status)) {
    const title = bar.dataset.title ?? "";
    live.textContent = format(strings.finished, { title, label: strings.labels[message.status] ?? message.status });
  }
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

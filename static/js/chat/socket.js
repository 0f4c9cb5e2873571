// The chat websocket, reconnected with exponential backoff when it drops.

const FIRST_DELAY_MS = 500;
const LONGEST_DELAY_MS = 15000;
// The server closes with this code a connection without a logged-in session.
const NOT_LOGGED_IN = 4401;

/** ws(s)://host/ws/chat/ — on `base` (WEBSOCKET_URL) when set, else on the page's host. */
export function socketUrl(base, path) {
  if (base) return base.replace(/\/+$/, "") + path;
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}`;
}

/**
 * States reported to `onState(state, detail)`: "connecting" (detail: after a failure),
 * "open" (detail: after a failure), "reconnecting"
 * (detail: seconds until the next try), "offline", "expired" (no session: no retry).
 * Messages sent while not open wait for the connection, unless `queue` is false.
 */
export class ChatSocket {
  constructor(url, { onMessage, onState, onDrop }) {
    this.url = url;
    this.onMessage = onMessage;
    this.onState = onState;
    this.onDrop = onDrop;
    this.failures = 0;
    this.pending = [];
    this.timer = null;
    this.socket = null;
    this.stopped = false;
    window.addEventListener("online", () => this.connectNow());
    window.addEventListener("offline", () => this.onState("offline"));
  }

  /** No session: the server refuses the connection, and no retry can change that. */
  get expired() {
    return this.stopped;
  }

  get isOpen() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  connect() {
    this.onState("connecting", this.failures > 0);
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      const wasDown = this.failures > 0;
      this.failures = 0;
      this.onState("open", wasDown);
      for (const message of this.pending.splice(0)) socket.send(JSON.stringify(message));
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.onMessage(message);
    });
    socket.addEventListener("close", (event) => this.closed(socket, event.code));
  }

  closed(socket, code) {
    if (socket !== this.socket || this.stopped) return;
    this.socket = null;
    this.onDrop();
    if (code === NOT_LOGGED_IN) {
      this.stopped = true;
      this.onState("expired");
      return;
    }
    if (navigator.onLine === false) {
      this.onState("offline");
      return;
    }
    this.scheduleRetry();
  }

  scheduleRetry() {
    const delay = Math.min(FIRST_DELAY_MS * 2 ** this.failures, LONGEST_DELAY_MS);
    const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
    this.failures += 1;
    this.onState("reconnecting", Math.ceil(jittered / 1000));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), jittered);
  }

  connectNow() {
    if (this.stopped || this.socket) return;
    clearTimeout(this.timer);
    this.connect();
  }

  /** Send `message` now, or when the connection opens; false when it had to wait. */
  send(message, { queue = true } = {}) {
    if (this.isOpen) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    if (queue) this.pending.push(message);
    this.connectNow();
    return false;
  }

  /** Forget messages still waiting for the connection. */
  dropPending() {
    this.pending = [];
  }
}

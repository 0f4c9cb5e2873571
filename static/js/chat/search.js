// The search page: ask questions over the websocket and read the streamed, cited answers.
// Without a session (public categories) the form stays a plain search form.

import { conversationInUrl, conversationUrl } from "./address.js";
import { createApi } from "./api.js";
import { format, readJson } from "./dom.js";
import { ExchangeView } from "./exchange.js";
import { HistorySidebar } from "./history.js";
import { QuestionBox } from "./question_box.js";
import { ChatSocket, socketUrl } from "./socket.js";

const BANNER_CLASSES = {
  error: "border-red-200 bg-red-50 text-red-800",
  warning: "border-amber-300 bg-amber-50 text-amber-900",
  info: "border-slate-200 bg-white text-slate-700",
  success: "border-emerald-200 bg-emerald-50 text-emerald-800",
};
const RECONNECTED_SHOWN_MS = 3000;
// A cancel the server never confirms (the answer had not started) ends here anyway.
const CANCEL_CONFIRMATION_MS = 4000;

class SearchPage {
  constructor(config, strings) {
    this.config = config;
    this.strings = strings;
    this.form = document.getElementById("ask-form");
    this.question = new QuestionBox({ maxLength: config.maxQuestionLength, strings, language: config.language });
    this.askButton = document.getElementById("ask-button");
    this.cancelButton = document.getElementById("cancel-button");
    this.exchanges = document.getElementById("exchanges");
    this.banner = document.getElementById("connection-status");
    this.conversationTitle = document.getElementById("conversation-title");
    this.conversationExport = document.getElementById("conversation-export");
    this.api = createApi(config);
    this.category = config.category || null;
    this.conversationId = null;
    this.current = null;
    this.requestId = 0;
    this.connectionProblem = null;
    this.answerError = null;
    this.history = new HistorySidebar({
      api: this.api,
      strings,
      config,
      onOpen: (id) => this.openConversation(id, { address: "push" }),
      onNew: () => this.newConversation({ address: "push" }),
    });
    this.socket = new ChatSocket(socketUrl(config.websocketBase, config.websocketPath), {
      onMessage: (message) => this.receive(message),
      onState: (state, detail) => this.connectionChanged(state, detail),
      onDrop: () => this.connectionDropped(),
    });
    this.form.addEventListener("submit", (event) => this.submit(event));
    this.question.field.addEventListener("keydown", (event) => this.questionKey(event));
    this.cancelButton.addEventListener("click", () => this.cancel());
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.current?.isStreaming) {
        event.preventDefault();
        this.cancel();
      }
    });
    window.addEventListener("popstate", () => this.followAddress());
    this.socket.connect();
    this.history.refresh();
    if (config.conversation) this.openConversation(config.conversation);
  }

  questionKey(event) {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.altKey) return;
    event.preventDefault();
    this.form.requestSubmit();
  }

  submit(event) {
    event.preventDefault();
    const question = this.question.value;
    if (!question || this.question.tooLong) {
      this.question.focus();
      return;
    }
    if (this.ask(question)) this.question.value = "";
  }

  /** Ask `question` over the websocket in a new exchange; false while an answer streams. */
  ask(question) {
    if (this.current?.isStreaming) return false;
    document.getElementById("passages")?.remove();
    this.answerError = null;
    this.showBanner();
    const view = new ExchangeView({
      question,
      strings: this.strings,
      api: this.api,
      onRetry: (again) => this.ask(again),
    });
    view.requestId = ++this.requestId;
    this.current = view;
    this.exchanges.append(view.element);
    this.setStreaming(true);
    if (this.socket.expired) {
      view.fail(this.strings.sessionExpired);
      this.finishStreaming();
      return true;
    }
    view.sent = this.socket.send({
      type: "ask",
      id: view.requestId,
      question,
      category: this.category,
      conversation: this.conversationId,
    });
    this.question.focus({ preventScroll: true }); // the ask button, if clicked, is now disabled
    view.element.scrollIntoView({ block: "start", behavior: "auto" });
    this.showBanner();
    return true;
  }

  receive(message) {
    const view = this.current;
    // Errors about an unreadable message come back without the question's id.
    const forCurrent = view && (message.id === view.requestId || (message.type === "error" && message.id == null));
    if (!forCurrent || !view.isStreaming) return;
    switch (message.type) {
      case "sources":
        view.setSources(message);
        this.setConversation(message.conversation);
        break;
      case "token":
        view.addToken(message.text ?? "");
        break;
      case "done":
        view.finish(message);
        this.setConversation(message.conversation);
        this.finishStreaming();
        this.history.refresh();
        break;
      case "error":
        view.fail(message.message);
        this.answerError = message.message;
        this.showBanner();
        this.finishStreaming();
        break;
      case "cancelled":
        view.cancelled();
        this.finishStreaming();
        this.history.refresh();
        break;
      default:
        break;
    }
  }

  cancel() {
    const view = this.current;
    if (!view?.isStreaming) return;
    if (view.sent && this.socket.send({ type: "cancel" }, { queue: false })) {
      this.cancelButton.disabled = true; // until the server confirms with "cancelled"
      setTimeout(() => {
        if (this.current === view && view.isStreaming) {
          view.cancelled();
          this.finishStreaming();
        }
      }, CANCEL_CONFIRMATION_MS);
    } else {
      this.socket.dropPending();
      view.cancelled();
      this.finishStreaming();
    }
    this.question.focus();
  }

  setStreaming(streaming) {
    this.askButton.disabled = streaming;
    this.cancelButton.hidden = !streaming;
    this.cancelButton.disabled = false;
  }

  finishStreaming() {
    this.setStreaming(false);
    this.showBanner();
    // Give the focus back to the question unless the user has moved it somewhere.
    if (!document.activeElement || document.activeElement === document.body) {
      this.question.focus({ preventScroll: true });
    }
  }

  /** The conversation the answers belong to; a new one takes over the page's address. */
  setConversation(id, { address = "replace" } = {}) {
    if (typeof id !== "number") return;
    this.conversationId = id;
    this.history.setCurrent(id);
    this.showExportLinks(id);
    this.setAddress(conversationUrl(this.config.urls.conversationPage, id), address);
  }

  /** The links that download the conversation as Markdown or Word (the API's export). */
  showExportLinks(id) {
    const url = conversationUrl(this.config.urls.conversationExport, id);
    for (const link of this.conversationExport.querySelectorAll("a[data-format]")) {
      link.href = `${url}?format=${link.dataset.format}`;
    }
    this.conversationExport.hidden = false;
  }

  /** `how`: "push" (a step Back undoes), "replace", or "keep" (the address is already right). */
  setAddress(url, how) {
    if (how === "keep" || window.location.pathname === url) return;
    if (how === "push") history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  }

  /** Back or Forward: show what the address names, a conversation or a new one. */
  followAddress() {
    const id = conversationInUrl(this.config.urls.conversationPage, window.location.pathname);
    if (id === this.conversationId) return;
    if (id) this.openConversation(id, { address: "keep" });
    else this.newConversation({ address: "keep" });
  }

  connectionChanged(state, detail) {
    const strings = this.strings;
    clearTimeout(this.reconnectedTimer);
    if (state === "open") {
      if (this.current && !this.current.sent) this.current.sent = true; // the queue is flushed
      this.connectionProblem = detail ? { kind: "success", text: strings.reconnected, role: "status" } : null;
      if (detail) {
        this.reconnectedTimer = setTimeout(() => {
          this.connectionProblem = null;
          this.showBanner();
        }, RECONNECTED_SHOWN_MS);
      }
    } else if (state === "connecting") {
      this.connectionProblem = detail ? { kind: "warning", text: strings.connecting, role: "status" } : null;
    } else if (state === "reconnecting") {
      this.connectionProblem = { kind: "warning", text: format(strings.reconnecting, { seconds: detail }), role: "status" };
    } else if (state === "offline") {
      this.connectionProblem = { kind: "warning", text: strings.offline, role: "status" };
    } else if (state === "expired") {
      this.connectionProblem = { kind: "error", text: strings.sessionExpired, role: "alert" };
    }
    this.showBanner();
  }

  connectionDropped() {
    const view = this.current;
    if (view?.isStreaming && view.sent) {
      view.fail(this.strings.connectionLost);
      this.finishStreaming();
    }
  }

  /** The banner tells the worst news: a connection problem, else the last answer's error. */
  showBanner() {
    const waiting = this.current?.isStreaming && !this.current.sent && !this.socket.isOpen;
    let shown = this.connectionProblem ?? (this.answerError && { kind: "error", text: this.answerError, role: "alert" });
    if (waiting && (!shown || shown.kind === "success")) {
      shown = { kind: "info", text: this.strings.waitingToSend, role: "status" };
    } else if (waiting) {
      shown = { ...shown, text: `${shown.text} ${this.strings.waitingToSend}` };
    }
    this.banner.setAttribute("role", shown?.role ?? "status");
    this.banner.dataset.state = shown?.kind ?? "ok";
    this.banner.className = `mt-4 rounded-md border p-3 text-sm empty:hidden ${shown ? BANNER_CLASSES[shown.kind] : ""}`;
    this.banner.textContent = shown?.text ?? "";
  }

  async openConversation(id, { address = "replace" } = {}) {
    this.cancel();
    let conversation;
    try {
      conversation = await this.api.conversation(id);
    } catch (failure) {
      this.answerError = failure.detail || this.strings.conversationFailed;
      this.showBanner();
      return;
    }
    document.getElementById("passages")?.remove();
    this.current = null;
    this.answerError = null;
    this.showBanner();
    const last = conversation.exchanges.length - 1;
    this.exchanges.replaceChildren(
      ...conversation.exchanges.map(
        (saved, index) => ExchangeView.fromSaved(saved, {
          strings: this.strings,
          api: this.api,
          onRetry: index === last ? (again) => this.ask(again) : null,
        }).element,
      ),
    );
    this.category = conversation.category?.slug ?? null;
    this.setConversation(conversation.id, { address });
    this.conversationTitle.textContent = format(this.strings.continuing, {
      title: conversation.title || this.strings.untitled,
      category: conversation.category?.name ?? this.strings.allCategories,
    });
    this.conversationTitle.hidden = false;
    this.exchanges.lastElementChild?.scrollIntoView({ block: "start" });
    this.question.focus({ preventScroll: true });
  }

  newConversation({ address = "replace" } = {}) {
    this.cancel();
    document.getElementById("passages")?.remove();
    this.current = null;
    this.conversationId = null;
    this.category = this.config.category || null;
    this.answerError = null;
    this.showBanner();
    this.exchanges.replaceChildren();
    this.conversationTitle.hidden = true;
    this.conversationExport.hidden = true;
    this.history.setCurrent(null);
    this.setAddress(this.config.urls.newConversation, address);
    this.question.focus();
  }
}

const config = readJson("search-config");
if (config.canAsk && document.getElementById("ask-form")) {
  new SearchPage(config, readJson("search-strings"));
}

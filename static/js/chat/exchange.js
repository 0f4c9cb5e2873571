// One question and its answer: streamed text, sources, and what the user can do with it.

import { renderMarkdown } from "../markdown.js";
import { checkMark, checkSummary, placeCheckMarks } from "./checks.js";
import { h, format, icon } from "./dom.js";
import { SourceList, sourceId, showSource } from "./sources.js";

const THUMB_UP = [
  "M7 10v12",
  "M15 5.88 14 10h5.83a2 2 0 0 1 1.92 2.56l-2.33 8A2 2 0 0 1 17.5 22H4a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2h2.76a2 2 0 0 0 1.79-1.11L12 2a3.13 3.13 0 0 1 3 3.88Z",
];
const THUMB_DOWN = [
  "M17 14V2",
  "M9 18.12 10 14H4.17a2 2 0 0 1-1.92-2.56l2.33-8A2 2 0 0 1 6.5 2H20a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-2.76a2 2 0 0 0-1.79 1.11L12 22a3.13 3.13 0 0 1-3-3.88Z",
];
const COPY = [
  "M8 8h12v12H8z",
  "M4 16V4h12",
];

// Exchange.Status values of saved exchanges, as answer states.
const SAVED_STATES = { done: "done", failed: "error", cancelled: "cancelled", streaming: "cancelled" };

export class ExchangeView {
  /**
   * @param {{question: string, strings: object, api: object, onRetry?: (question: string) => void}} options
   *   `onRetry`: asks the question again (false when it cannot yet), offered after an error or a cancel.
   */
  constructor({ question, strings, api, onRetry = null }) {
    this.question = question;
    this.strings = strings;
    this.api = api;
    this.onRetry = onRetry;
    this.sourceList = null;
    this.exchangeId = null;
    this.sources = [];
    this.checks = null;
    this.text = "";
    this.frame = 0;
    this.answer = h("div", {
      "data-testid": "answer",
      "data-state": "streaming",
      "aria-live": "polite",
      "aria-busy": "true",
      class: "answer break-words leading-relaxed text-slate-800",
    }, h("p", { class: "animate-pulse text-slate-600 motion-reduce:animate-none" }, strings.searching));
    this.notice = h("p", { class: "mt-3 text-sm", hidden: true });
    this.answerNotices = h("div", { "data-testid": "answer-notices", class: "mt-3 space-y-2", hidden: true });
    this.checkLine = h("div", { hidden: true });
    this.badge = h("p", {
      class: "mb-2 inline-block rounded bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800",
      hidden: true,
    }, strings.validatedAnswer);
    this.sourcesSection = h("section", { class: "mt-4", hidden: true });
    this.actions = h("div", { class: "mt-4 border-t border-slate-100 pt-3", hidden: true });
    this.retry = h("div", { class: "mt-3", hidden: true });
    this.element = h(
      "article",
      { "data-testid": "exchange", class: "space-y-3" },
      h(
        "div",
        { class: "ml-auto w-fit max-w-[90%] rounded-lg bg-indigo-50 px-4 py-2 text-slate-900" },
        h("p", { class: "sr-only" }, strings.you),
        h("p", { class: "whitespace-pre-wrap break-words" }, question),
      ),
      h(
        "div",
        { class: "rounded-lg border border-slate-200 bg-white p-4 shadow-sm" },
        h("p", { class: "sr-only" }, strings.assistant),
        this.badge,
        this.answer,
        this.checkLine,
        this.answerNotices,
        this.notice,
        this.retry,
        this.sourcesSection,
        this.actions,
      ),
    );
    this.answer.addEventListener("click", (event) => this.followCitation(event));
  }

  get state() {
    return this.answer.dataset.state;
  }

  get isStreaming() {
    return this.state === "streaming";
  }

  /** The `sources` message: the exchange's id, its sources, whether the answer is validated. */
  setSources(message) {
    this.exchangeId = message.exchange;
    this.element.dataset.exchange = String(message.exchange);
    this.sources = Array.isArray(message.sources) ? message.sources : [];
    this.badge.hidden = !message.validated;
    this.sourcesSection.replaceChildren();
    this.sourceList = null;
    if (this.sources.length) {
      this.sourceList = new SourceList(this.exchangeId, this.sources, { strings: this.strings, api: this.api });
      this.sourcesSection.hidden = false;
      this.sourcesSection.append(
        h("h3", { class: "text-sm font-semibold text-slate-700" }, this.strings.sources),
        this.sourceList.element,
      );
      this.showCitedSources();
    }
  }

  addToken(text) {
    this.text += text;
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }

  finish(message) {
    if (typeof message.answer === "string") this.text = message.answer;
    this.badge.hidden = !message.validated;
    this.showChecks(message.checks);
    this.end("done");
    const notices = answerNotices(message.notices);
    this.answerNotices.replaceChildren(...notices);
    this.answerNotices.hidden = !notices.length;
    this.showActions();
  }

  fail(text) {
    this.end("error");
    this.showNotice(text, "alert");
    this.offerRetry();
  }

  cancelled() {
    this.end("cancelled");
    this.showNotice(this.strings.cancelled, "status");
    if (this.exchangeId && this.text) this.showActions({ feedback: false });
    this.offerRetry();
  }

  /** « Réessayer »: the same question asked again, once. */
  offerRetry() {
    if (!this.onRetry) return;
    const button = h("button", {
      type: "button",
      "data-testid": "retry",
      class: "rounded-md bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600",
    }, this.strings.retry);
    button.addEventListener("click", () => {
      if (this.onRetry(this.question)) this.retry.hidden = true;
    });
    this.retry.replaceChildren(button);
    this.retry.hidden = false;
  }

  end(state) {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.answer.dataset.state = state;
    this.answer.setAttribute("aria-busy", "false");
    this.render();
  }

  render() {
    this.frame = 0;
    if (!this.text && this.isStreaming) return; // keep "searching…" until the first words
    const { text, flagged } = placeCheckMarks(this.text, this.checks);
    this.answer.replaceChildren(renderMarkdown(text, {
      citationHref: (n) => (this.exchangeId && this.sources.some((s) => s.number === n) ? `#${sourceId(this.exchangeId, n)}` : null),
      citationTitle: (n) => format(this.strings.citation, { n }),
      checkMark: (n) => checkMark(flagged[n], { id: `check-${this.exchangeId}-${n}`, label: this.strings.checkMark }),
    }));
    this.showCitedSources();
  }

  /** The citation check of the `done` message (or of a saved exchange): marks, and a line. */
  showChecks(checks) {
    this.checks = checks && typeof checks === "object" ? checks : null;
    const summary = checkSummary(this.checks, this.strings);
    this.checkLine.replaceChildren(...(summary ? [summary] : []));
    this.checkLine.hidden = !summary;
  }

  /** The sources the answer cites so far come first. */
  showCitedSources() {
    const links = this.answer.querySelectorAll('a[data-testid="citation"]');
    this.sourceList?.showCited(new Set([...links].map((link) => Number(link.dataset.citation))));
  }

  showNotice(text, role) {
    this.notice.hidden = false;
    this.notice.setAttribute("role", role);
    this.notice.className = role === "alert"
      ? "mt-3 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800"
      : "mt-3 text-sm italic text-slate-600";
    this.notice.textContent = text;
  }

  followCitation(event) {
    const link = event.target.closest('a[data-testid="citation"]');
    if (!link) return;
    const card = document.getElementById(link.getAttribute("href").slice(1));
    if (!card) return;
    event.preventDefault();
    history.replaceState(null, "", link.getAttribute("href"));
    showSource(card);
  }

  /** Copy, rate, propose a correction: once the answer is kept on the server. */
  showActions({ feedback = true, saved = null } = {}) {
    const strings = this.strings;
    const status = h("p", { class: "text-sm text-slate-600", role: "status" });
    const buttonClass = "inline-flex items-center gap-1 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 aria-pressed:border-indigo-600 aria-pressed:bg-indigo-50 aria-pressed:text-indigo-800";
    const copy = h("button", { type: "button", "data-testid": "copy-answer", class: buttonClass }, icon(COPY), strings.copy);
    copy.addEventListener("click", async () => {
      // The Markdown as written: readable as it is, and it keeps the citations.
      status.textContent = (await copyText(this.text)) ? strings.copied : strings.copyFailed;
    });
    const row = h("div", { class: "flex flex-wrap items-center gap-2" }, copy);
    this.actions.replaceChildren(row, status);
    this.actions.hidden = false;
    if (!feedback || !this.exchangeId) return;
    const feedbackArea = this.feedbackArea(buttonClass, saved);
    const proposal = this.proposalArea(buttonClass);
    row.append(...feedbackArea.buttons, proposal.button);
    this.actions.append(feedbackArea.form, proposal.form);
  }

  feedbackArea(buttonClass, saved) {
    const strings = this.strings;
    let rating = saved?.rating ?? null;
    const thanks = h("p", { "data-testid": "feedback-thanks", class: "text-sm text-emerald-800", role: "status", hidden: true });
    const error = h("p", { class: "text-sm text-red-800", role: "alert" });
    const commentId = `feedback-comment-${this.exchangeId}`;
    const comment = h("textarea", {
      id: commentId,
      "data-testid": "feedback-comment",
      rows: "2",
      maxlength: "2000",
      class: "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200",
    });
    comment.value = saved?.comment ?? "";
    const submit = h("button", { type: "submit", "data-testid": "feedback-submit", class: `${buttonClass} mt-2` }, strings.feedbackSubmit);
    const form = h("form", { class: "mt-3", hidden: rating === null },
      h("label", { for: commentId, class: "block text-sm font-medium text-slate-700" }, strings.feedbackComment),
      comment, submit, thanks, error);
    const thumb = (value, label, paths) => h("button", {
      type: "button",
      "data-testid": value === "up" ? "thumbs-up" : "thumbs-down",
      "aria-pressed": String(rating === value),
      "aria-label": label,
      title: label,
      class: buttonClass,
    }, icon(paths));
    const buttons = [thumb("up", strings.thumbsUp, THUMB_UP), thumb("down", strings.thumbsDown, THUMB_DOWN)];
    const send = async (withComment) => {
      error.textContent = "";
      try {
        await this.api.rate(this.exchangeId, rating, withComment ? comment.value : "");
        thanks.textContent = withComment ? strings.feedbackCommentThanks : strings.feedbackThanks;
        thanks.hidden = false;
      } catch (failure) {
        thanks.hidden = true;
        error.textContent = failure.detail || strings.requestFailed;
      }
    };
    buttons.forEach((button, index) => button.addEventListener("click", async () => {
      rating = index === 0 ? "up" : "down";
      buttons.forEach((other) => other.setAttribute("aria-pressed", String(other === button)));
      form.hidden = false;
      await send(false);
    }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (rating) send(true);
    });
    return { buttons, form };
  }

  proposalArea(buttonClass) {
    const strings = this.strings;
    const textId = `proposal-text-${this.exchangeId}`;
    const text = h("textarea", {
      id: textId,
      "data-testid": "proposal-text",
      rows: "5",
      class: "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200",
    });
    const thanks = h("p", { "data-testid": "proposal-thanks", class: "mt-2 text-sm text-emerald-800", role: "status", hidden: true }, strings.proposalThanks);
    const error = h("p", { class: "mt-2 text-sm text-red-800", role: "alert" });
    const fields = h("div", {},
      h("label", { for: textId, class: "block text-sm font-medium text-slate-700" }, strings.proposalLabel),
      text,
      h("div", { class: "mt-2 flex gap-2" },
        h("button", { type: "submit", "data-testid": "proposal-submit", class: buttonClass }, strings.proposalSubmit),
        h("button", { type: "button", class: buttonClass, onclick: () => close() }, strings.proposalCancel)));
    const form = h("form", { class: "mt-3", hidden: true }, fields, error, thanks);
    const button = h("button", {
      type: "button",
      "data-testid": "propose-correction",
      "aria-expanded": "false",
      class: buttonClass,
    }, strings.proposeCorrection);
    const close = () => {
      form.hidden = true;
      button.setAttribute("aria-expanded", "false");
      button.focus();
    };
    button.addEventListener("click", () => {
      const opening = form.hidden;
      if (!opening) return close();
      form.hidden = false;
      fields.hidden = false;
      thanks.hidden = true;
      button.setAttribute("aria-expanded", "true");
      text.focus();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      if (!text.value.trim()) {
        error.textContent = strings.proposalEmpty;
        text.focus();
        return;
      }
      try {
        await this.api.propose(this.exchangeId, text.value);
        fields.hidden = true;
        thanks.hidden = false;
        text.value = "";
      } catch (failure) {
        error.textContent = failure.detail || strings.requestFailed;
      }
    });
    return { button, form };
  }

  /** An exchange of a saved conversation, as the conversation API gives it; one that failed
   * or was cancelled offers « Réessayer » when `options.onRetry` is given (the last one). */
  static fromSaved(saved, options) {
    const view = new ExchangeView({ question: saved.question, ...options });
    view.setSources({ exchange: saved.id, sources: saved.sources, validated: saved.validated });
    view.text = saved.answer || "";
    view.showChecks(saved.checks);
    const state = SAVED_STATES[saved.status] ?? "done";
    view.end(state);
    if (state === "done") {
      view.showActions({ saved: saved.feedback });
      return view;
    }
    if (state === "cancelled") view.showNotice(options.strings.cancelled, "status");
    else view.showNotice(options.strings.failed, "alert");
    view.offerRetry();
    return view;
  }
}

/** The `done` message's notices (a cited document soon out of force…), one note each, as text. */
export function answerNotices(notices) {
  if (!Array.isArray(notices)) return [];
  return notices
    .filter((notice) => typeof notice === "string" && notice)
    .map((notice) => h("p", {
      role: "note",
      class: "rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900",
    }, notice));
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (plain http, old browser): the selection-and-copy fallback.
    const area = h("textarea", { class: "fixed -left-[9999px] top-0", "aria-hidden": "true", readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    area.remove();
    return copied;
  }
}

// The question box: its character counter, and a clear refusal past the server's limit
// (MAX_QUESTION_LENGTH), instead of a question cut short without a word.

import { format } from "./dom.js";

const COUNTER_CLASSES = {
  ok: "text-xs tabular-nums text-slate-600",
  over: "text-xs font-semibold tabular-nums text-red-700",
};

/** The question's length as the server counts it: spaces collapsed, in characters. */
export function questionLength(text) {
  return [...text.trim().split(/\s+/).join(" ")].length;
}

export class QuestionBox {
  /** @param {{maxLength: number, strings: object, language: string}} options */
  constructor({ maxLength, strings, language }) {
    this.field = document.getElementById("question");
    this.counter = document.getElementById("question-counter");
    this.refusal = document.getElementById("question-refusal");
    this.askButton = document.getElementById("ask-button");
    this.maxLength = maxLength;
    this.strings = strings;
    this.numbers = new Intl.NumberFormat(language || undefined);
    this.field.addEventListener("input", () => this.update());
    this.update();
  }

  get value() {
    return this.field.value.trim();
  }

  get tooLong() {
    return questionLength(this.field.value) > this.maxLength;
  }

  set value(text) {
    this.field.value = text;
    this.update();
  }

  /** The counter, and past the limit the refusal the send button points to. */
  update() {
    const length = questionLength(this.field.value);
    const over = length > this.maxLength;
    this.counter.textContent = format(this.strings.questionCounter, {
      count: this.numbers.format(length),
      most: this.numbers.format(this.maxLength),
    });
    this.counter.className = over ? COUNTER_CLASSES.over : COUNTER_CLASSES.ok;
    this.counter.dataset.state = over ? "over" : "ok";
    this.field.setAttribute("aria-invalid", String(over));
    this.askButton.setAttribute("aria-disabled", String(over));
    this.refusal.hidden = !over;
    this.refusal.textContent = over
      ? format(this.strings.questionTooLong, {
          over: this.numbers.format(length - this.maxLength),
          most: this.numbers.format(this.maxLength),
        })
      : "";
  }

  focus(options) {
    this.field.focus(options);
  }
}

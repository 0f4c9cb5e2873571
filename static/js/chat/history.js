// The sidebar of the user's past conversations.

import { h } from "./dom.js";

export class HistorySidebar {
  constructor({ api, strings, config, onOpen, onNew }) {
    this.api = api;
    this.strings = strings;
    this.aside = document.getElementById("history");
    this.list = document.getElementById("history-list");
    this.status = document.getElementById("history-status");
    this.toggle = document.getElementById("history-toggle");
    this.onOpen = onOpen;
    this.currentId = null;
    this.dates = new Intl.DateTimeFormat(config.language || undefined, {
      dateStyle: "short",
      timeStyle: "short",
      timeZone: config.timeZone || undefined,
    });
    this.toggle?.addEventListener("click", () => this.setOpen(this.aside.classList.contains("hidden")));
    document.getElementById("new-conversation")?.addEventListener("click", (event) => {
      event.preventDefault();
      this.setCurrent(null);
      this.collapse();
      onNew();
    });
  }

  get exists() {
    return Boolean(this.aside && this.list);
  }

  /** On phones the sidebar hides behind its button; from md up it is always shown. */
  setOpen(open) {
    this.aside.classList.toggle("hidden", !open);
    this.toggle?.setAttribute("aria-expanded", String(open));
  }

  collapse() {
    if (this.toggle && getComputedStyle(this.toggle).display !== "none") this.setOpen(false);
  }

  async refresh() {
    if (!this.exists) return;
    try {
      this.render(await this.api.conversations(), { more: false });
    } catch {
      this.status.textContent = this.strings.historyFailed;
    }
  }

  /** A page of the API; `more`: it follows the ones listed. */
  render(page, { more }) {
    const conversations = page.results ?? [];
    const items = conversations.map((conversation) => this.item(conversation));
    this.older?.remove();
    if (more) this.list.append(...items);
    else this.list.replaceChildren(...items);
    this.status.textContent = this.list.childElementCount ? "" : this.strings.historyEmpty;
    this.older = page.next ? this.olderButton(page.next) : null;
    if (this.older) this.list.append(this.older);
    return items;
  }

  olderButton(next) {
    const button = h(
      "button",
      {
        type: "button",
        class: "w-full rounded-md px-2 py-2 text-left text-sm text-indigo-700 underline hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600",
      },
      this.strings.olderConversations,
    );
    button.addEventListener("click", async () => {
      try {
        const added = this.render(await this.api.conversations(next), { more: true });
        added[0]?.querySelector("button")?.focus();
      } catch {
        this.status.textContent = this.strings.historyFailed;
      }
    });
    return h("li", {}, button);
  }

  item(conversation) {
    const current = conversation.id === this.currentId;
    const button = h(
      "button",
      {
        type: "button",
        "data-testid": "history-item",
        "data-conversation": conversation.id,
        "aria-current": current ? "true" : null,
        class: "block w-full rounded-md px-2 py-2 text-left text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600 aria-[current=true]:bg-indigo-50 aria-[current=true]:text-indigo-900",
      },
      h("span", { class: "line-clamp-2 break-words font-medium text-slate-800" }, conversation.title || this.strings.untitled),
      h(
        "span",
        { class: "mt-0.5 block text-xs text-slate-600" },
        [conversation.category?.name ?? this.strings.allCategories, this.formatDate(conversation.updated_at)]
          .filter(Boolean)
          .join(" · "),
      ),
    );
    button.addEventListener("click", () => {
      this.collapse();
      this.onOpen(conversation.id);
    });
    return h("li", {}, button);
  }

  formatDate(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? "" : this.dates.format(date);
  }

  setCurrent(id) {
    this.currentId = id;
    for (const button of this.list?.querySelectorAll('[data-testid="history-item"]') ?? []) {
      const current = Number(button.dataset.conversation) === id;
      if (current) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
  }
}

// Just enough of the DOM for static/js/markdown.js, the source chips, the answer's notes and a saved exchange to run under node, with a serialiser
// that writes attributes and text escaped, as a browser's would.

class FakeNode {
  constructor() {
    this.childNodes = [];
  }

  append(...nodes) {
    for (const node of nodes) {
      const child = typeof node === "string" ? new FakeText(node) : node;
      if (child instanceof FakeFragment) this.childNodes.push(...child.childNodes.splice(0));
      else this.childNodes.push(child);
    }
  }

  replaceChildren(...nodes) {
    this.childNodes = [];
    this.append(...nodes);
  }

  get textContent() {
    return this.childNodes.map((child) => child.textContent).join("");
  }

  set textContent(value) {
    this.childNodes = [new FakeText(String(value))];
  }

  get html() {
    return this.childNodes.map((child) => child.html).join("");
  }

  querySelectorAll(tag) {
    return this.childNodes.flatMap((child) =>
      child instanceof FakeElement
        ? [...(child.tagName === tag ? [child] : []), ...child.querySelectorAll(tag)]
        : [],
    );
  }
}

class FakeText extends FakeNode {
  constructor(text) {
    super();
    this.text = text;
  }

  get textContent() {
    return this.text;
  }

  get html() {
    return escape(this.text);
  }
}

class FakeFragment extends FakeNode {}

const PROPERTIES = ["href", "rel", "target", "title", "start"];
const VOID = new Set(["br", "hr"]);

class FakeElement extends FakeNode {
  constructor(tag) {
    super();
    this.tagName = tag;
    this.className = "";
    this.dataset = {};
    this.attributes = {};
  }

  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }

  removeAttribute(name) {
    delete this.attributes[name];
  }

  get hidden() {
    return "hidden" in this.attributes;
  }

  set hidden(value) {
    if (value) this.setAttribute("hidden", "");
    else this.removeAttribute("hidden");
  }

  addEventListener() {}

  get html() {
    const attributes = PROPERTIES.filter((name) => this[name] !== undefined)
      .map((name) => ` ${name}="${escape(String(this[name]))}"`)
      .concat(Object.entries(this.attributes).map(([name, value]) => ` ${name}="${escape(value)}"`))
      .concat(Object.entries(this.dataset).map(([name, value]) => ` data-${name}="${escape(value)}"`))
      .join("");
    if (VOID.has(this.tagName)) return `<${this.tagName}${attributes}>`;
    return `<${this.tagName}${attributes}>${super.html}</${this.tagName}>`;
  }
}

function escape(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

globalThis.Node = FakeNode;
globalThis.requestAnimationFrame = () => 0;
globalThis.cancelAnimationFrame = () => {};
globalThis.document = {
  createElement: (tag) => new FakeElement(tag),
  createTextNode: (text) => new FakeText(text),
  createDocumentFragment: () => new FakeFragment(),
};

/** The rendered Markdown as HTML, classes left out. */
export function html(fragment) {
  const holder = new FakeFragment();
  holder.append(fragment);
  return holder.html;
}

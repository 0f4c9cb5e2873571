// Building DOM nodes without HTML strings: h("p", {class: "…"}, "text", child).

/**
 * @param {string} tag
 * @param {Record<string, unknown>} [attributes] `class`, `dataset`, `on<event>` handlers,
 *   booleans (present when true), other values set as attributes.
 * @param {...(Node|string|null|undefined|false)} children strings become text nodes.
 */
export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** `template` with each {name} replaced by values[name]. */
export function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** The JSON a template rendered with Django's json_script. */
export function readJson(id) {
  const script = document.getElementById(id);
  return script ? JSON.parse(script.textContent) : {};
}

export function prefersReducedMotion() {
  return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

const SVG = "http://www.w3.org/2000/svg";

/** A decorative 24×24 stroked icon drawn by `paths` (SVG path data). */
export function icon(paths, className = "h-4 w-4") {
  const svg = document.createElementNS(SVG, "svg");
  for (const [name, value] of Object.entries({
    viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", "stroke-width": "2",
    "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true", class: className,
  })) svg.setAttribute(name, value);
  for (const d of paths) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

// A tiny DOM builder: elements from tag, attributes and children. Text is always set as text (never as
// HTML), so nothing the API returns can become markup.
const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * h("a", { href: "#/", class: "x", onclick: fn, dataset: { step: "fence" }, style: { left: "3%" } }, "text", [more])
 * Attributes that are null, undefined or false are left out; true sets an empty attribute.
 */
export function h(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children);
}

export function svg(tag, attrs = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function build(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    // Through CSSOM, never a style attribute: the Content-Security-Policy allows no inline style.
    else if (name === "style") for (const [k, v] of Object.entries(value)) el.style.setProperty(k, v);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * Re-renders `el` only when `data` differs from what it was last rendered with, so a poll that brings
 * nothing new leaves the DOM (focus, selection, a half-typed reason) alone.
 */
export function patch(el, data, render) {
  const key = JSON.stringify(data ?? null);
  if (el.dataset.rendered === key) return false;
  el.dataset.rendered = key;
  replace(el, render(data));
  return true;
}

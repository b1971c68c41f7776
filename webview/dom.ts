/**
 * Tiny DOM helpers. Every string passed as text ends up in `textContent` or an attribute value,
 * never in HTML: function names, URLs, routes and paths come from the target and are hostile.
 */

/** Attributes and text of an element made by `h`. */
export interface ElementProps {
  className?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
}

/** Creates an element with text and attributes, then appends the children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  if (props.text !== undefined) element.textContent = props.text;
  if (props.title !== undefined) element.title = props.title;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** Creates a custom element (the vscode-elements components) with attributes. */
export function custom(tag: string, attrs: Record<string, string> = {}): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  return element;
}

/** Removes every child. */
export function clear(element: Element): void {
  element.replaceChildren();
}

/** Sizes a canvas to its box at the device pixel ratio; returns its CSS size. */
export function fitCanvas(canvas: HTMLCanvasElement, cssHeight: number): { w: number; h: number } {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, canvas.clientWidth);
  canvas.style.height = `${cssHeight}px`;
  canvas.width = Math.round(w * ratio);
  canvas.height = Math.round(cssHeight * ratio);
  canvas.getContext('2d')?.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { w, h: cssHeight };
}

/** A codicon glyph (decorative: hidden from screen readers; needs codicon.css on the page). */
export function icon(name: string): HTMLElement {
  return h('span', { className: `codicon codicon-${name}`, attrs: { 'aria-hidden': 'true' } });
}

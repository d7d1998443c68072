/** Attributes of {@link h}: strings and numbers become attributes, functions become listeners. */
export type Attributes = Readonly<Record<string, string | number | boolean | undefined | null | ((event: Event) => void)>>;

/** A child of {@link h}: nodes, text, or nothing. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

const append = (parent: Element | DocumentFragment, child: Child): void => {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const item of child as readonly Child[]) append(parent, item);
    return;
  }
  parent.append(child instanceof Node ? child : String(child));
};

/** Creates an element: `h('a', { href: 'x', onclick: go }, 'text')`. */
export const h = <K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
};

const SVG = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes. */
export const s = (tag: string, attributes: Readonly<Record<string, string | number>> = {}, ...children: Node[]): SVGElement => {
  const element = document.createElementNS(SVG, tag) as SVGElement;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
};

/** Replaces an element's children. */
export const replaceChildren = (parent: Element, ...children: Child[]): void => {
  const fragment = document.createDocumentFragment();
  append(fragment, children);
  parent.replaceChildren(fragment);
};

/** `1.2 s`, `3 min 4 s`, `2 h 5 min`. */
export const formatDuration = (ms: number | null | undefined): string => {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.floor(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
};

/** A local date and time, with seconds. */
export const formatTime = (at: number | null | undefined): string =>
  at === null || at === undefined ? '—' : new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A coloured status badge. */
export const statusBadge = (status: string): HTMLElement => h('span', { class: `badge status-${status}` }, status);

/** Bytes as `12.3 kB`. */
export const formatBytes = (size: number): string =>
  size < 1024 ? `${size} B` : size < 1024 ** 2 ? `${(size / 1024).toFixed(1)} kB` : `${(size / 1024 ** 2).toFixed(1)} MB`;

// The DOM of an HTML page: the subset of it read here, the page parsed whole, and its text as runs between blocks.
import { DOMParser } from 'linkedom';
import { collapseWhitespace } from '../../core/text/words.js';

// The DOM subset used here: the project compiles without the DOM lib, and linkedom's own types lean on it.
export interface DomNode {
  nodeType: number;
  textContent: string | null;
  childNodes: Iterable<DomNode>;
}

export interface DomElement extends DomNode {
  tagName: string;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  remove(): void;
  replaceWith(node: DomNode): void;
  closest(selector: string): DomElement | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
}

export interface DomDocument {
  body: DomElement | null;
  createElement(tag: string): DomElement;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** Elements whose boundaries end a paragraph of running text. */
export const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'br',
  'caption',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);

/**
 * Runs of text between block boundaries, in document order. Each run is a contiguous stretch of the
 * document's text, so a quote from it is found in the page's text content.
 */
export function blockTexts(root: DomElement): string[] {
  const out: string[] = [];
  let run = '';
  const flush = (): void => {
    const text = collapseWhitespace(run);
    if (text) out.push(text);
    run = '';
  };
  const visit = (node: DomNode): void => {
    if (node.nodeType === TEXT_NODE) {
      run += node.textContent ?? '';
      return;
    }
    if (node.nodeType !== ELEMENT_NODE) return;
    const block = BLOCK_TAGS.has((node as DomElement).tagName.toLowerCase());
    if (block) flush();
    for (const child of node.childNodes) visit(child);
    if (block) flush();
  };
  visit(root);
  flush();
  return out;
}

/**
 * linkedom builds only what the markup spells out (no implied html/head/body), so a page missing
 * them gets them here.
 */
function completeDocument(html: string): string {
  let s = html.replace(/^\s*<!doctype[^>]*>/i, '');
  // Tags in comments do not count: "<!--<html>" alone would leave a document with no root element.
  const tags = s.replace(/<!--[\s\S]*?(?:-->|$)/g, (comment) => ' '.repeat(comment.length));
  const hasHtml = /<html[\s>]/i.test(tags);
  if (!/<body[\s>]/i.test(tags)) {
    const headEnd = /<\/head\s*>/i.exec(tags);
    const htmlOpen = /<html[^>]*>/i.exec(tags);
    const at = headEnd ? headEnd.index + headEnd[0].length : htmlOpen ? htmlOpen.index + htmlOpen[0].length : 0;
    const htmlClose = tags.search(/<\/html\s*>/i);
    const end = htmlClose >= at ? htmlClose : s.length;
    s = `${s.slice(0, at)}<body>${s.slice(at, end)}</body>${s.slice(end)}`;
  }
  if (!hasHtml) s = `<html>${s}</html>`;
  return `<!DOCTYPE html>${s}`;
}

/** The page parsed, with the html, head and body it may leave implied. */
export function parseDocument(content: string): DomDocument {
  return new DOMParser().parseFromString(completeDocument(content), 'text/html') as unknown as DomDocument;
}

// Page furniture: navigation, ads, widgets and other blocks that are not the story, and the page without them.
import { BLOCK_TAGS, parseDocument, type DomDocument, type DomElement } from './dom.js';

/** Never article text. */
const NON_TEXT_TAGS = new Set([
  'title',
  'meta',
  'link',
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'frame',
  'object',
  'embed',
  'svg',
  'canvas',
  'video',
  'audio',
  'button',
  'select',
  'textarea',
  'input',
  'dialog',
  'nav',
  'footer',
]);

const FURNITURE_ROLES = new Set([
  'navigation',
  'banner',
  'contentinfo',
  'complementary',
  'search',
  'dialog',
  'alertdialog',
]);
const FURNITURE_NAME_PARTS = new Set([
  'ad',
  'ads',
  'advert',
  'advertisement',
  'banner',
  'breadcrumb',
  'breadcrumbs',
  'comment',
  'comments',
  'consent',
  'cookie',
  'cookies',
  'gdpr',
  'menu',
  'modal',
  'newsletter',
  'popup',
  'promo',
  'related',
  'share',
  'sharing',
  'sidebar',
  'social',
  'sponsored',
  'subscribe',
  'subscription',
]);
// A class or id naming the story itself ("article-body has-share-bar") outweighs a furniture word in it.
const CONTENT_NAME_PARTS = new Set(['article', 'body', 'content', 'main', 'story', 'post', 'entry', 'text']);

/** Removed from the page's body before anything reads it. */
function isFurniture(el: DomElement): boolean {
  const tag = el.tagName.toLowerCase();
  if (NON_TEXT_TAGS.has(tag) || tag === 'aside') return true;
  // A header outside the story is the site's masthead; one inside holds the headline and standfirst.
  return tag === 'header' && !el.closest('article, main');
}

/** Marked as furniture by its attributes: hidden, a landmark role, or a furniture name. */
function isMarkedFurniture(el: DomElement): boolean {
  // Only whole blocks go: removing an inline element would join the text on either side of it.
  if (!BLOCK_TAGS.has(el.tagName.toLowerCase())) return false;
  if (el.hasAttribute('hidden') || el.getAttribute('aria-hidden') === 'true') return true;
  if (FURNITURE_ROLES.has(el.getAttribute('role')?.toLowerCase() ?? '')) return true;
  const parts = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`.toLowerCase().split(/[^a-z]+/);
  return parts.some((p) => FURNITURE_NAME_PARTS.has(p)) && !parts.some((p) => CONTENT_NAME_PARTS.has(p));
}

/** A parsed copy of the page with its furniture removed. */
export function cleanDocument(
  content: string,
  options: { marked?: boolean } = {},
): DomDocument & { markedRemoved: number } {
  const doc = parseDocument(content);
  // The head stays: Readability reads the title and metadata from it.
  const remove = (el: DomElement): void => {
    // An inline element (a script mid-paragraph) leaves a break behind, so the text either side stays apart.
    if (BLOCK_TAGS.has(el.tagName.toLowerCase())) el.remove();
    else el.replaceWith(doc.createElement('br'));
  };
  const marked = options.marked ?? true;
  let markedRemoved = 0;
  for (const el of [...(doc.body?.querySelectorAll('*') ?? [])]) {
    if (isFurniture(el)) remove(el);
    else if (marked && isMarkedFurniture(el)) {
      remove(el);
      markedRemoved++;
    }
  }
  return Object.assign(doc, { markedRemoved });
}

// A page's metadata: its meta tags, canonical link and JSON-LD article, read for title, date, source, author and URL.
import { collapseWhitespace } from '../../core/text/words.js';
import { normalizeDate } from '../dates.js';
import type { DomDocument } from './dom.js';

export interface PageMeta {
  title: string | null;
  headline: string | null;
  date: string | null;
  source: string | null;
  author: string | null;
  url: string | null;
}

/** A metadata value as one line of text: a string, a list joined with commas, or a named thing's name. */
export function metaText(value: unknown): string | null {
  if (typeof value === 'string') return collapseWhitespace(value) || null;
  if (Array.isArray(value)) {
    const parts = value.map(metaText).filter((s): s is string => s !== null);
    return parts.length > 0 ? parts.join(', ') : null;
  }
  if (value && typeof value === 'object') {
    // Person/Organization have a name; a mainEntityOfPage WebPage has an @id.
    if ('name' in value) return metaText(value.name);
    if ('@id' in value) return metaText(value['@id']);
  }
  return null;
}

function isArticleType(type: unknown): boolean {
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => typeof t === 'string' && (/Article$/.test(t) || t === 'BlogPosting'));
}

/** The first NewsArticle/Article (or subtype) object in the page's JSON-LD blocks. */
function jsonLdArticle(doc: DomDocument): Record<string, unknown> | null {
  for (const script of doc.querySelectorAll('script')) {
    if (!/ld\+json/i.test(script.getAttribute('type') ?? '')) continue;
    let data: unknown;
    try {
      data = JSON.parse(script.textContent ?? '');
    } catch {
      continue; // Broken JSON-LD is common and only costs metadata.
    }
    const queue: unknown[] = [data];
    while (queue.length > 0) {
      const item = queue.shift();
      if (Array.isArray(item)) queue.push(...(item as unknown[]));
      else if (item && typeof item === 'object') {
        const obj = item as Record<string, unknown>;
        if (isArticleType(obj['@type'])) return obj;
        // Articles also sit in a @graph, or as the mainEntity of a WebPage.
        queue.push(...[obj['@graph'], obj['mainEntity']].filter((v) => v !== undefined));
      }
    }
  }
  return null;
}

/** What the page declares about itself in its head and JSON-LD. */
export function pageMeta(doc: DomDocument): PageMeta {
  const meta = new Map<string, string>();
  for (const el of doc.querySelectorAll('meta')) {
    const key = (el.getAttribute('property') ?? el.getAttribute('name') ?? el.getAttribute('itemprop'))?.toLowerCase();
    const content = metaText(el.getAttribute('content'));
    if (key && content && !meta.has(key)) meta.set(key, content);
  }
  let canonical: string | null = null;
  for (const el of doc.querySelectorAll('link')) {
    if ((el.getAttribute('rel') ?? '').toLowerCase().split(/\s+/).includes('canonical')) {
      canonical = metaText(el.getAttribute('href'));
      if (canonical) break;
    }
  }
  const ld = jsonLdArticle(doc);
  const metaAuthor = meta.get('author') ?? meta.get('article:author');
  const dates = [
    metaText(ld?.['datePublished']),
    meta.get('article:published_time'),
    doc.querySelector('time[datetime]')?.getAttribute('datetime'),
    meta.get('datepublished'),
    meta.get('date'),
  ];
  return {
    title: metaText(ld?.['headline']) ?? meta.get('og:title') ?? meta.get('twitter:title') ?? null,
    headline: metaText(ld?.['headline']),
    date: dates.map(normalizeDate).find((d) => d !== null) ?? null,
    source: metaText(ld?.['publisher']) ?? meta.get('og:site_name') ?? null,
    // article:author is often a profile URL rather than a name.
    author: metaText(ld?.['author']) ?? (metaAuthor && !/^https?:\/\//i.test(metaAuthor) ? metaAuthor : null),
    url: canonical ?? meta.get('og:url') ?? metaText(ld?.['url']) ?? metaText(ld?.['mainEntityOfPage']),
  };
}

// A page's title: the headline it declares, else what Readability reads from its <title>, or the h1 that the
// <title> decorates with the site's name.
import { titleFromFileName } from '../titles.js';
import type { MainText } from './main-text.js';
import { metaText, type PageMeta } from './metadata.js';

/**
 * Whether the page's h1 is the headline that a <title> like "Ferry Service Resumes | Island Times"
 * shortens or decorates (and not, say, the site's name in a logo).
 */
function isHeadlineOf(h1: string, docTitle: string, siteName: string | null): boolean {
  const lower = (s: string): string => s.toLowerCase();
  // Short strings ("News", "Home") match by accident.
  const headlineLike = (s: string): boolean => s.split(' ').length >= 3 && (!siteName || lower(s) !== lower(siteName));
  if (!headlineLike(h1)) return false;
  // The site's name comes last ("Headline | Site"): an h1 like it is the site's heading.
  const parts = docTitle.split(/\s+[|–—·:-]\s+/);
  return (parts.length > 1 ? parts.slice(0, -1) : parts)
    .filter(headlineLike)
    .some((part) => lower(h1).includes(lower(part)) || lower(part).includes(lower(h1)));
}

// Readability 0.6 (its latest release) cuts a <title> at its last " | " or " - " ("Headline |
// Site"), but not yet at an en or em dash, as its later versions do: there the dash cuts first,
// and when four words or fewer are left the whole <title> is kept ("Evolve: Shared Mutable
// History — evolve extension for Mercurial").
const DASH_SUFFIX = /^(.*\S)\s+[–—]\s+\S.*$/;

function titleCutAtDash(title: string): string | null {
  const head = DASH_SUFFIX.exec(title)?.[1];
  if (!head) return null;
  return head.split(/\s+/).length > 4 ? head : title;
}

/** What a page shows as its title, read before Readability rewrites the page. */
export interface TitleElements {
  /** The text of the first h1. */
  h1: string | null;
  /** The text of the <title>. */
  titleElement: string | null;
}

/**
 * The title of a page, from its metadata, its title elements, Readability's readings of the page as it is (`page`)
 * and without its furniture (`article`), and the site's name (`source`).
 */
export function chooseTitle(
  meta: PageMeta,
  { h1, titleElement }: TitleElements,
  readings: { page: MainText; article: MainText },
  source: string | null,
  fileName: string,
): string {
  const { page, article } = readings;
  // Readability's title, read from the <title> as its later versions do when no metadata declares one.
  const read = (!meta.title && titleElement && titleCutAtDash(titleElement)) || metaText(page?.title);
  const docTitle = read ?? metaText(article?.title) ?? titleElement;
  const pageTitle = h1 && docTitle && isHeadlineOf(h1, docTitle, source) ? h1 : (docTitle ?? h1);
  // The title the page declares: a JSON-LD headline (also an article's nested as a page's
  // mainEntity, which Readability does not read), else Readability's choice among Dublin Core,
  // Open Graph and others; when it has only the <title>, the h1 that the <title> decorates with
  // the site's name ("Ferry Resumes | Island Times"). Readability's own titles differ mostly by
  // keeping the site's name (docs/decisions/html-title.md).
  const declared = read !== null && read !== titleElement ? read : null;
  return (
    meta.headline ?? declared ?? (read ? pageTitle : null) ?? meta.title ?? pageTitle ?? titleFromFileName(fileName)
  );
}

// Reading a feed: one conditional GET through the safe fetcher, and its entries as items with a link.
import { extractFromJson, extractFromXml, type FeedData } from '@extractus/feed-extractor';
import type { Config } from '../../config.js';
import { UserError } from '../../core/errors.js';
import { safeFetch, type FetchOptions } from '../../fetch/safe-fetch.js';
import type { Feed } from './feed-store.js';

const FEED_TYPES = [
  'application/rss+xml',
  'application/atom+xml',
  'application/rdf+xml',
  'application/xml',
  'text/xml',
  'application/feed+json',
  'application/json',
];

export interface FeedItem {
  id: string;
  link: string;
  title: string;
}

export type Validators = { etag?: string | null; lastModified?: string | null };

export type FeedRead =
  | { notModified: true; validators: Validators }
  | { notModified: false; title: string; items: FeedItem[]; validators: Validators };

/**
 * Reads the feed at `url`: not modified since `feed`'s last read (by its validators), or its title and
 * items. Throws a UserError for a link that is refused, fails, or is not a feed.
 */
export async function readFeed(
  url: string,
  feed: Feed | null,
  config: Config,
  fetch: Partial<FetchOptions> = {},
): Promise<FeedRead> {
  const headers: Record<string, string> = {};
  if (feed?.etag) headers['if-none-match'] = feed.etag;
  if (feed?.lastModified) headers['if-modified-since'] = feed.lastModified;
  const page = await safeFetch(url, {
    maxBytes: config.maxArticleBytes,
    accept: FEED_TYPES,
    expected: 'feed',
    allowHosts: config.fetchAllowHosts,
    headers,
    ...fetch,
  });
  const validators = { etag: page.etag, lastModified: page.lastModified };
  if (page.status === 304) return { notModified: true, validators };
  let data: FeedData | null;
  try {
    const text = page.body.toString('utf8');
    data = page.contentType.includes('json')
      ? extractFromJson(text, { baseUrl: page.url })
      : extractFromXml(text, { baseUrl: page.url });
  } catch {
    data = null;
  }
  if (!data) throw new UserError('feed.not-a-feed', {});
  const items = (data.entries ?? []).flatMap((e): FeedItem[] =>
    e.link && /^https?:/.test(e.link) ? [{ id: e.id || e.link, link: e.link, title: e.title ?? e.link }] : [],
  );
  return { notModified: false, title: data.title || url, items, validators };
}

/**
 * Text that came from a user or a page, put into a Discord message so that it shows as written: it can format
 * nothing, link nowhere and mention no one. Mentions never ping anyway (src/discord/client.ts turns them off), but a
 * mention still shows as one, and a masked link hides where it leads.
 */
import { collapseWhitespace, shorten } from '../core/text/words.js';

// Discord's escape rule takes a backslash before any punctuation, so each of these is escaped wherever it is:
// emphasis, code, spoilers, masked links, and `<` (mentions, channels, roles, commands, timestamps, <links>).
const ALWAYS = /[\\*_~`|[\]<>@]/g;
// `https://` in text is a live link: an escaped colon stops Discord from seeing one.
const SCHEME = /:(?=\/\/)/g;
// Only at the start of a line, and before a space (or `#`): a heading or subtext (`# `, `## `, `-# `), a list item
// (`- `, `+ `, `1. `). "-1 (1 votes)" and "10.0.0.7" stay as they are.
const LINE_START = /^([ \t]*)([#+-])(?=[ \t#])/gm;
const NUMBERED = /^([ \t]*\d+)\.(?=[ \t])/gm;

/** `text` shown as written (its lines kept): every Markdown character in it escaped. */
export function plain(text: string): string {
  return text.replace(ALWAYS, '\\$&').replace(SCHEME, '\\:').replace(LINE_START, '$1\\$2').replace(NUMBERED, '$1\\.');
}

/**
 * `text` shown as written within a line (a title, a name, an id): white space collapsed, so that it starts no line
 * of its own, and escaped; at most `max` characters, escapes included, when given.
 */
export function inline(text: string, max?: number): string {
  const escaped = plain(collapseWhitespace(text));
  return max === undefined ? escaped : shorten(escaped, max);
}

/** What Discord shows of escaped text (a thread's name is not Markdown). */
export function unescaped(text: string): string {
  return text.replace(/\\([^\p{L}\p{N}\s])/gu, '$1');
}

// What a link may hold once normalized: RFC 3986's unreserved and reserved characters, and `%`, but none of
// `( ) [ ] ' < >`, which end a masked link's target or a <link>. Anything else is percent-encoded.
const LINK_SAFE = /[^A-Za-z0-9\-._~:/?#@!$&*+,;=%]/g;
const MAX_LINK = 300;

/**
 * A page's address as a link Discord shows as one, in `<…>` or as a masked link's target, that leads where the
 * address does and nowhere else; null when there is no such link: not http(s), a user name or password in it (the
 * name would pose as the site), a bracketed IPv6 host, or so long that it crowds out the message.
 */
export function safeLink(url: string | null): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  if (parsed.username || parsed.password || parsed.hostname.startsWith('[')) return null;
  // The URL parser encodes spaces, `<`, `>`, quotes and every non-ASCII character; `(`, `)`, `[`, `]`, `'` and a
  // few more are left to this (one byte each).
  const link = parsed.href.replace(LINK_SAFE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return link.length <= MAX_LINK ? link : null;
}

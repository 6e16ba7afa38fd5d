/**
 * What a Discord user reads for each failure code: plain words for the person who asked, naming no
 * server path, variable or command (those stay in the log). The words for a failure of what they gave are
 * src/failure-words.ts, shared with the terminal (src/cli/error-text.ts).
 */
import type { ErrorCode, ErrorDetails } from '../core/errors.js';
import { INPUT_WORDS, nothingAdded, type OwnWords, type Words } from '../failure-words.js';
import { inline } from './markdown.js';
import { REINDEX_RUNNING } from './preconditions.js';

const OWN_WORDS: OwnWords = {
  'add.no-source': () => 'Give a link (`url:`) or a file (`file:`): one of the two.',
  'article.shared': ({ id }) =>
    `“${id}” belongs to the shared library, which this server’s admins cannot change. Nothing was changed.`,
  'library.none': () => 'This server has no articles of its own yet: `/add` makes its library. Nothing was changed.',
  'article.too-large': ({ file, maxMb }) =>
    nothingAdded(`${file === null ? 'That file' : `“${file}”`} is larger than ${maxMb} MB`),
  'feed.server-limit': ({ max }) =>
    `This server already follows ${max} feeds, the most one server may: ` +
    'remove one with `/feeds remove` first. Nothing was followed.',
  // Another process's build is a reindex running all the same; which process, and its lock file, are the log's.
  'library.full': ({ max }) =>
    `This server's library already holds ${max} articles, the most one server's may: ` +
    'remove one with `/remove` first. Nothing was added.',
  'index.busy': () => REINDEX_RUNNING,
  'index.locked': () => REINDEX_RUNNING,
  // Only the operator's `npm run backup` fails so: the terminal's words name the folder.
  'backup.not-empty': () => 'That backup folder is not empty. Nothing was written.',
  'backup.inside-data': () => 'That backup folder is inside one the backup copies. Nothing was written.',
  internal: ({ errorId }) => `something went wrong on the bot's side (error id ${errorId})`,
  // A name that does not resolve and one that resolves to a private address read the same, or a user could tell
  // which internal host names exist. The log keeps the code, and the kind of address.
  'fetch.unknown-host': ({ host }) => noPublicSite(host),
  'fetch.refused': ({ host }) => noPublicSite(host),
};

function noPublicSite(host: string): string {
  return `No public web site was found at ${host}; only public web pages can be added.`;
}

const WORDS: Words = { ...INPUT_WORDS, ...OWN_WORDS };

/**
 * A failure (a coded error, or one kept as data) in the words a Discord user reads, as Markdown: what it repeats of
 * what a user or a page gave (an article id, a link, a title) shows as written, while the words keep their own.
 */
export function errorText<C extends ErrorCode>(failure: { code: C; details: ErrorDetails[C] }): string {
  return WORDS[failure.code](escaped(failure.details));
}

/** Every string in `details`, however deep, shown as written on one line. */
function escaped<T>(details: T): T {
  if (typeof details === 'string') return inline(details) as T;
  if (typeof details !== 'object' || details === null) return details;
  return Object.fromEntries(Object.entries(details).map(([key, value]) => [key, escaped(value)])) as T;
}

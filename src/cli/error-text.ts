/**
 * What a person at a terminal reads for each failure code. They run Footnote themselves, so the
 * words may name the server's paths and what to do about them. The words for a failure of what they gave are
 * src/failure-words.ts, shared with Discord (src/discord/error-text.ts).
 */
import type { ErrorCode, ErrorDetails } from '../core/errors.js';
import { INPUT_WORDS, nothingAdded, type OwnWords, type Words } from '../failure-words.js';

const OWN_WORDS: OwnWords = {
  'add.no-source': () => 'Give one link or one file.',
  'article.shared': ({ id }) => `“${id}” is in the home library, not the server's: run without --server to change it.`,
  'library.none': () => 'That server has no library yet: its first /add or npm run add -- --server ID makes one.',
  'article.too-large': ({ file, maxMb }) =>
    nothingAdded(`${file === null ? 'That file' : `“${file}”`} is larger than MAX_ARTICLE_MB (${maxMb} MB)`),
  'feed.server-limit': ({ max }) =>
    `That server already follows ${max} feeds, the most MAX_FEEDS_PER_SERVER allows; nothing was followed.`,
  'library.full': ({ max }) =>
    `That server's library already holds ${max} articles, the most MAX_ARTICLES_PER_SERVER allows; nothing was added.`,
  'index.busy': () => 'A reindex is already running; the new index will be used as soon as it is complete.',
  'index.locked': ({ indexDir, lockFile, owner }) =>
    owner
      ? `Another process (pid ${owner.pid} on ${owner.host}, since ${owner.since}) is building the index in ` +
        `${indexDir}. Wait for it to finish and run again; if no such process exists, delete ${lockFile}.`
      : `Another process took the build lock of ${indexDir} just now; run again once it has finished.`,
  'backup.not-empty': ({ dir }) =>
    `${dir} is not an empty folder: give a new or empty one, so that a backup never mixes with other files. ` +
    'Nothing was written.',
  'backup.inside-data': ({ dir, variable, folder }) =>
    `${dir} is inside ${variable} (${folder}), which the backup copies: choose a folder outside it. ` +
    'Nothing was written.',
  internal: ({ errorId }) => `Something went wrong (error id ${errorId}); the log has the details.`,
  // The operator runs on the server and can look the name up there anyway: the precise reason helps them.
  'fetch.unknown-host': ({ host }) => `The host ${host} could not be found.`,
  'fetch.refused': ({ host, address }) => `${host} is ${address}; only public web pages can be added.`,
};

const WORDS: Words = { ...INPUT_WORDS, ...OWN_WORDS };

/** A failure (a coded error, or one kept as data) in the words a person at a terminal reads. */
export function errorText<C extends ErrorCode>(failure: { code: C; details: ErrorDetails[C] }): string {
  return WORDS[failure.code](failure.details);
}

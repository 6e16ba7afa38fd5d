// The words a person reads for a failure of what they gave (a question, a link, a file, a feed), the same at a
// terminal and on Discord. src/cli/error-text.ts and src/discord/error-text.ts add the failures each words its own way.
import type { ArticleOrigin, ConnectionProblem, ErrorCode, ErrorDetails } from './core/errors.js';

export type Words = { [C in ErrorCode]: (details: ErrorDetails[C]) => string };

/**
 * The codes each surface words itself: they name a variable, a command option, or what the reader can do there, or
 * (fetch.unknown-host and fetch.refused) tell the operator more than a Discord user may learn.
 */
export type OwnWords = Pick<
  Words,
  | 'add.no-source'
  | 'article.shared'
  | 'library.none'
  | 'article.too-large'
  | 'feed.server-limit'
  | 'library.full'
  | 'index.busy'
  | 'index.locked'
  | 'backup.not-empty'
  | 'backup.inside-data'
  | 'internal'
  | 'fetch.unknown-host'
  | 'fetch.refused'
>;

const origin = (from: ArticleOrigin): string => ('page' in from ? `The page at ${from.page}` : `“${from.file}”`);

/** What an add that failed left behind: the person adding reads that nothing changed. */
export const nothingAdded = (failure: string): string => `${failure}; nothing was added.`;

const PROBLEMS: Record<ConnectionProblem, string> = {
  refused: 'the site refused the connection',
  closed: 'the site closed the connection',
  'timed-out': 'the site did not answer in time',
  unreachable: 'the site cannot be reached from here',
  'certificate-expired': 'its security certificate has expired',
  'certificate-other-site': 'its security certificate is for another site',
  'certificate-untrusted': 'its security certificate is not one this server can trust',
  'no-secure-connection': 'a secure connection could not be made',
  'not-a-web-server': 'it did not answer as a web server does',
  other: 'the connection failed',
};

const TOO_MUCH: Record<ErrorDetails['article.too-complex']['limit'], (max: number) => string> = {
  elements: (max) => `it has more than ${max.toLocaleString('en-US')} HTML elements`,
  depth: (max) => `its HTML elements are nested more than ${max} deep`,
  nesting: () => 'its HTML elements are nested too deeply',
  memory: (max) => `reading it needs more than ${max} MB of memory`,
};

const EXPECTED = { page: 'a web page or text', feed: 'an RSS, Atom or JSON feed' };

export const INPUT_WORDS: Omit<Words, keyof OwnWords> = {
  'question.empty': () => 'The question is empty: ask something about the articles.',
  'article.unknown': ({ id }) => `No indexed article has the id "${id}".`,
  'article.not-article-file': ({ file }) => `“${file}” is not an article file: send a .txt, .md or .html file.`,
  'article.unreadable': ({ from, reason }) =>
    'page' in from ? nothingAdded(`${origin(from)} is ${reason}`) : `${origin(from)} was not added: it is ${reason}.`,
  'article.unparsable': ({ from, reason }) => `${origin(from)} could not be read: ${reason}`,
  'article.no-text': ({ from }) => nothingAdded(`${origin(from)} has no readable article text`),
  'article.wrong-charset': ({ from, charset }) => nothingAdded(`${origin(from)} is not readable text in ${charset}`),
  'article.too-complex': ({ from, limit, max }) =>
    nothingAdded(`${origin(from)} is too complex to read: ${TOO_MUCH[limit](max)}`),
  'article.not-regular-file': ({ file }) =>
    `“${file}” is a link or not a regular file; it can only be removed on the server itself.`,
  'article.gone': ({ file }) => `“${file}” is no longer in the articles folder; a reindex takes it out of the index.`,
  'feed.already-followed': ({ title }) => `That feed is already followed: ${title}.`,
  'feed.not-a-feed': () => 'That link is not an RSS, Atom or JSON feed; nothing was followed.',
  'feed.too-slow': ({ seconds }) =>
    `Reading the feed and its new pages took longer than ${seconds} s; the rest is read on a later poll.`,
  'feed.old-error': ({ text }) => text,
  'fetch.not-a-url': ({ text }) => `“${text.slice(0, 200)}” is not a web address (it should start with https://).`,
  'fetch.scheme': ({ scheme }) => `Only http and https links can be added, not ${scheme}.`,
  'fetch.credentials': () => 'Links with a user name or password are not fetched.',
  'fetch.too-many-redirects': ({ max }) => nothingAdded(`The link redirects more than ${max} times`),
  'fetch.connect-timeout': ({ host }) => nothingAdded(`${host} did not answer in time`),
  'fetch.timeout': ({ seconds }) => nothingAdded(`The page took longer than ${seconds} s`),
  'fetch.failed': ({ problem }) => `The page could not be fetched: ${PROBLEMS[problem]}.`,
  'fetch.status': ({ status, statusText }) => `The page answered ${status}${statusText ? ` ${statusText}` : ''}.`,
  'fetch.wrong-type': ({ expected, contentType }) => {
    const what = EXPECTED[expected];
    return nothingAdded(
      `That link is ${contentType ? `not ${what} (it is ${contentType})` : `not labelled as ${what}`}`,
    );
  },
  'fetch.too-large': ({ maxMb }) => nothingAdded(`The page is larger than ${maxMb} MB`),
};

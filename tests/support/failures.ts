import type { ErrorCode, ErrorDetails, Failure } from '../../src/core/errors.js';

// A server path, as an operator's failure can carry: no Discord words may repeat it.
export const SERVER_PATH = '/srv/footnote/index';

/** Details for every code (the type makes sure none is missing), as the failures carry them. */
const SAMPLES: { [C in ErrorCode]: ErrorDetails[C] } = {
  'question.empty': {},
  'article.unknown': { id: 'harbour-news' },
  'add.no-source': {},
  'article.too-large': { file: 'notes.txt', maxMb: 10 },
  'article.not-article-file': { file: 'scan.pdf' },
  'article.unreadable': { from: { file: 'bad.txt' }, reason: 'not valid UTF-8 text' },
  'article.unparsable': { from: { page: 'https://news.example/story' }, reason: 'Invalid YAML front matter in it' },
  'article.no-text': { from: { page: 'https://news.example/story' } },
  'article.wrong-charset': { from: { page: 'https://news.example/story' }, charset: 'koi8-r' },
  'article.too-complex': { from: { page: 'https://news.example/story' }, limit: 'elements', max: 20_000 },
  'article.not-regular-file': { file: 'linked.txt' },
  'article.gone': { file: 'gone.txt' },
  'feed.already-followed': { title: 'Harbour News' },
  'feed.not-a-feed': {},
  'feed.server-limit': { max: 20 },
  'feed.too-slow': { seconds: 120 },
  'library.full': { max: 1000 },
  'feed.old-error': { text: 'The page answered 503 Service Unavailable.' },
  'fetch.not-a-url': { text: 'not a url' },
  'fetch.scheme': { scheme: 'ftp' },
  'fetch.credentials': {},
  'fetch.unknown-host': { host: 'nowhere.example' },
  'fetch.refused': { host: 'intranet.example', address: 'a private-network address' },
  'fetch.too-many-redirects': { max: 5 },
  'fetch.connect-timeout': { host: 'slow.example' },
  'fetch.timeout': { seconds: 30 },
  'fetch.failed': { problem: 'refused' },
  'fetch.status': { status: 404, statusText: 'Not Found' },
  'fetch.wrong-type': { expected: 'page', contentType: 'image/png' },
  'fetch.too-large': { maxMb: 10 },
  'index.busy': {},
  'article.shared': { id: 'alibaba-jack-ma' },
  'library.none': {},
  'index.locked': {
    indexDir: SERVER_PATH,
    lockFile: `${SERVER_PATH}/build.lock`,
    owner: { pid: 4242, host: 'box', since: '2026-12-01T12:00:00.000Z' },
  },
  'backup.not-empty': { dir: '/srv/backups/today' },
  'backup.inside-data': { dir: `${SERVER_PATH}/backup`, variable: 'INDEX_DIR', folder: SERVER_PATH },
  internal: { errorId: '0badc0de' },
};

/** One failure of each code. */
export function sampleFailures(): Failure[] {
  return (Object.keys(SAMPLES) as ErrorCode[]).map((code) => ({ code, details: SAMPLES[code] }) as Failure);
}

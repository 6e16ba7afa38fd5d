// Line classification: each line of a text article as blank, body text, a heading, code, or dropped (Markdown
// markup, rules, images).
import type { Credit } from '../../core/types.js';

export interface Line {
  /** The line with its ends trimmed (for headings: the heading text without its #'s). */
  text: string;
  kind: 'blank' | 'text' | 'heading' | 'code' | 'dropped';
  /** Markdown heading level. */
  level?: number;
  /** A Markdown list item begins a paragraph of its own. */
  startsParagraph?: boolean;
  /** A credit line left out of the text: what it tells, and how much of it (from its start) to quote. */
  credit?: { kind: Credit['kind']; length: number };
}

const RULE_RE = /^([-*_=~•—–])(?:\s*\1){2,}$/u;
const FENCE_RE = /^ {0,3}(`{3,}|~{3,})/;
const ATX_RE = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const IMAGE_ONLY_RE = /^(?:\[?!\[[^\]]*\]\([^)]*\)(?:\]\([^)]*\))?\s*)+$/;
const LIST_ITEM_RE = /^\s*(?:[-*+]|\d{1,9}[.)])\s+/;

export function classifyMarkdown(raw: readonly string[]): Line[] {
  const lines: Line[] = [];
  let fence: string | null = null;
  for (let i = 0; i < raw.length; i++) {
    const text = raw[i]!.trim();
    if (fence !== null) {
      const closes = text.startsWith(fence) && /^(`+|~+)$/.test(text);
      if (closes) fence = null;
      lines.push({ text, kind: closes ? 'dropped' : 'code' });
      continue;
    }
    const prev = lines[lines.length - 1];
    const fenceOpen = FENCE_RE.exec(raw[i]!);
    const heading = ATX_RE.exec(raw[i]!);
    if (fenceOpen) {
      fence = fenceOpen[1]!;
      lines.push({ text, kind: 'dropped' });
    } else if (!text) {
      lines.push({ text, kind: 'blank' });
    } else if (text.startsWith('<!--')) {
      // Only comments that fill whole lines are dropped; inline ones stay verbatim.
      let end = -1;
      let after = '';
      for (let j = i; j < raw.length && end < 0; j++) {
        const close = raw[j]!.indexOf('-->', j === i ? raw[i]!.indexOf('<!--') + 4 : 0);
        if (close >= 0) [end, after] = [j, raw[j]!.slice(close + 3)];
      }
      if (end >= 0 && after.trim() === '') {
        for (let j = i; j <= end; j++) lines.push({ text: raw[j]!.trim(), kind: 'dropped' });
        i = end;
      } else {
        lines.push({ text, kind: 'text' });
      }
    } else if (prev?.kind === 'text' && !prev.startsParagraph && /^(?:=+|-+)$/.test(text)) {
      // Setext underline: the line above is a heading.
      prev.kind = 'heading';
      prev.level = text.startsWith('=') ? 1 : 2;
      lines.push({ text, kind: 'dropped' });
    } else if (RULE_RE.test(text) || IMAGE_ONLY_RE.test(text)) {
      lines.push({ text, kind: 'dropped' });
    } else if (heading) {
      const headingText = heading[2]?.trim() ?? '';
      const level = heading[1]!.length;
      lines.push(headingText ? { text: headingText, kind: 'heading', level } : { text, kind: 'dropped' });
    } else {
      lines.push({ text, kind: 'text', startsParagraph: LIST_ITEM_RE.test(text) });
    }
  }
  return lines;
}

export function classifyPlain(raw: readonly string[]): Line[] {
  return raw.map((r) => {
    const text = r.trim();
    if (!text) return { text, kind: 'blank' };
    return { text, kind: RULE_RE.test(text) ? 'dropped' : 'text' };
  });
}

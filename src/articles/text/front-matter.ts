// YAML front matter: split off a text article's first lines, and read for its metadata.
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { collapseWhitespace } from '../../core/text/words.js';

export type FrontMatter = Record<string, unknown>;

function parseFrontMatter(yamlText: string, fileName: string): FrontMatter {
  let data: unknown;
  try {
    data = parseYaml(yamlText);
  } catch (err) {
    // Besides YAMLParseError, yaml throws ReferenceErrors for bad aliases (`*undefined`, alias bombs).
    if (!(err instanceof Error)) throw err;
    const pos = err instanceof YAMLParseError ? err.linePos?.[0] : undefined;
    // +1: the opening "---" is line 1 of the file.
    const where = pos ? ` at line ${pos.line + 1}, column ${pos.col}` : '';
    const reason = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new Error(`Invalid YAML front matter in ${fileName}${where}: ${reason}`, { cause: err });
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new Error(`Invalid YAML front matter in ${fileName} at line 2: expected "key: value" pairs`);
  }
  const out: FrontMatter = {};
  for (const [k, v] of Object.entries(data)) out[k.toLowerCase()] = v;
  return out;
}

/** `within`: the arrays and objects `value` sits in. */
export function metaString(value: unknown, within: readonly unknown[] = []): string | null {
  if (typeof value === 'string') return collapseWhitespace(value) || null;
  if (typeof value === 'number') return String(value);
  // YAML anchors let a value contain itself (`author: &a [*a]`): reading it again would never end.
  if (within.includes(value)) return null;
  const inner = [...within, value];
  if (Array.isArray(value)) {
    const parts = value.map((v) => metaString(v, inner)).filter((s): s is string => s !== null);
    return parts.length > 0 ? parts.join(', ') : null;
  }
  // e.g. `author: { name: Jane Doe }` or `publisher: { name: Reuters }`.
  if (value && typeof value === 'object' && 'name' in value) return metaString(value.name, inner);
  return null;
}

export function firstMeta(fm: FrontMatter, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = metaString(fm[k]);
    if (v) return v;
  }
  return null;
}

/** Splits leading front matter off the lines; returns the metadata and the index of the first body line. */
export function splitFrontMatter(lines: readonly string[], fileName: string): { fm: FrontMatter; bodyStart: number } {
  if (lines[0]?.trimEnd() !== '---') return { fm: {}, bodyStart: 0 };
  const close = lines.findIndex((l, i) => i > 0 && /^(?:---|\.\.\.)\s*$/.test(l));
  // An unclosed fence is not front matter: the "---" is then just a rule.
  if (close < 0) return { fm: {}, bodyStart: 0 };
  return { fm: parseFrontMatter(lines.slice(1, close).join('\n'), fileName), bodyStart: close + 1 };
}

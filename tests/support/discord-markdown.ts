// How a Discord client reads a message's Markdown, as far as the tests need it: what in it is live (a link, a
// mention, formatting, a heading, a quote or a list) and what it shows. Modelled on Discord's rules (simple-markdown's
// escape, link, url and autolink rules, and Discord's mentions and block syntax), read the way they are tried, left
// to right; where a rule is unsure, it reads more as live, never less.

/** One live thing in a message: a link (by the host it leads to), a mention, a format mark or a block. */
export interface Markup {
  kind: 'link' | 'mention' | 'format' | 'block';
  what: string;
}

// Discord's escape rule: a backslash before anything but a letter, a digit or white space.
const ESCAPE = /^\\([^0-9A-Za-z\s])/;
// simple-markdown's link rule, as Discord uses it for masked links.
const MASKED_LINK =
  /^\[((?:\[[^\]]*\]|[^[\]]|\](?=[^[]*\]))*)\]\(\s*<?((?:\([^)]*\)|[^\s\\])*?)>?(?:\s+['"]([\s\S]*?)['"])?\s*\)/;
const ANGLE_LINK = /^<([a-z][a-z\d+.-]*:[^\s>]+)>/i;
const BARE_LINK = /^https?:\/\/[^\s<]+[^<.,:;"')\]\s]/;
const MENTION = /^(?:<(?:@[!&]?\d+|#\d+|\/[^>\n]+:\d+|t:-?\d+(?::[tTdDfFsSR])?|a?:\w+:\d+|id:\w+)>|@(?:everyone|here))/;
const CODE = /^(`+)[\s\S]*?[^`]\1(?!`)/;
const FORMAT = /^(?:`+|\*\*|\*|__|_|~~|\|\|)/;
// At the start of a line: a heading or subtext, a quote, a list item.
const BLOCK = /^[ \t]*(#{1,3} |-# |>>> |> |[-*+] |\d+\. )/;

const host = (target: string): string => {
  try {
    return new URL(target).host;
  } catch {
    return target;
  }
};

/** Everything live in `content`, in order. */
export function liveMarkup(content: string): Markup[] {
  const found: Markup[] = [];
  for (let line of content.split('\n')) {
    // A quote's line can open a heading or a list inside it.
    for (let block = BLOCK.exec(line); block; block = BLOCK.exec(line)) {
      found.push({ kind: 'block', what: block[1]!.trim().replace(/^\d+/, '1') });
      line = line.slice(block[0].length);
    }
    found.push(...inlineMarkup(line));
  }
  return found;
}

function inlineMarkup(text: string): Markup[] {
  const found: Markup[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    let match: RegExpExecArray | null;
    if ((match = ESCAPE.exec(rest))) {
      i += match[0].length;
    } else if ((match = MASKED_LINK.exec(rest)) && /^https?:\/\//i.test(match[2]!)) {
      found.push({ kind: 'link', what: host(match[2]!) }, ...inlineMarkup(match[1]!));
      i += match[0].length;
    } else if ((match = ANGLE_LINK.exec(rest) ?? BARE_LINK.exec(rest))) {
      found.push({ kind: 'link', what: host(match[1] ?? match[0]) });
      i += match[0].length;
    } else if ((match = MENTION.exec(rest))) {
      found.push({ kind: 'mention', what: match[0] });
      i += match[0].length;
    } else if ((match = CODE.exec(rest))) {
      // Code shows what is in it as written.
      found.push({ kind: 'format', what: '`' });
      i += match[0].length;
    } else if ((match = FORMAT.exec(rest))) {
      found.push({ kind: 'format', what: match[0] });
      i += match[0].length;
    } else {
      i += 1;
    }
  }
  return found;
}

/** What a reader sees of `content` (escapes undone), its white space collapsed. */
export function shown(content: string): string {
  return content
    .replace(/\\([^0-9A-Za-z\s])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

// Dates as articles write them ("2014-10-28", "Oct. 28, 2014", "28th of October, 2014"), read as YYYY-MM-DD.

const MONTH =
  String.raw`(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|` +
  String.raw`sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

interface DatePattern {
  re: RegExp;
  toParts(m: RegExpExecArray): [year: string, month: string, day: string];
}

const DATE_PATTERNS: DatePattern[] = [
  // 2014-10-28, 2014/10/28, 2014.10.28, and ISO timestamps (the calendar date is kept as written).
  { re: /(?<!\d)(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)/, toParts: (m) => [m[1]!, m[3]!, m[4]!] },
  // October 28, 2014 / Oct. 28 2014 / Tuesday, Oct 28th, 2014
  {
    re: new RegExp(String.raw`\b${MONTH}\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)`, 'i'),
    toParts: (m) => [m[3]!, m[1]!, m[2]!],
  },
  // 28 Oct 2014 / 28th of October, 2014 / Tue, 28 Oct 2014 10:00:00 GMT
  {
    re: new RegExp(String.raw`(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH}\.?,?\s+(\d{4})(?!\d)`, 'i'),
    toParts: (m) => [m[3]!, m[2]!, m[1]!],
  },
];

interface DateMatch {
  iso: string | null;
  index: number;
  length: number;
}

/** The first date written in `s`, where it is, and its ISO form (null when impossible). */
export function findDate(s: string): DateMatch | null {
  let best: { m: RegExpExecArray; p: DatePattern } | null = null;
  for (const p of DATE_PATTERNS) {
    const m = p.re.exec(s);
    if (m && (!best || m.index < best.m.index)) best = { m, p };
  }
  if (!best) return null;
  const [y, mo, d] = best.p.toParts(best.m);
  const year = Number(y);
  const month = /^\d+$/.test(mo) ? Number(mo) : MONTHS.indexOf(mo.slice(0, 3).toLowerCase()) + 1;
  const day = Number(d);
  // Day 0 of the next month is the last day of this one.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const valid = year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth;
  const iso = valid ? `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` : null;
  return { iso, index: best.m.index, length: best.m[0].length };
}

/** The first date written in `value`, as YYYY-MM-DD; null when there is none or it is impossible (2014-02-30). */
export function normalizeDate(value: string | null | undefined): string | null {
  return value ? (findDate(value)?.iso ?? null) : null;
}

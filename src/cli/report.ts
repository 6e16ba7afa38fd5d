// `npm run report`: what the articles did not answer on Discord over a period, for a person or as JSON.
import { UsageError } from '../core/errors.js';
import { AnswerLog } from '../library/feedback/answer-log.js';
import { buildReport, reportText } from '../library/feedback/question-report.js';
import { commandArguments } from './arguments.js';
import { runCommand } from './run.js';

const USAGE = 'usage: npm run report -- [--since 7d] [--json]   (--since: days d or hours h)';

runCommand(({ config, argv }) => {
  const parsed = commandArguments(
    argv,
    USAGE,
    { since: { type: 'string', default: '7d' }, json: { type: 'boolean' } },
    { positionals: false },
  );
  if (!parsed) return;
  const period = /^(\d+)([dh])$/.exec(parsed.values.since);
  if (!period)
    throw new UsageError(
      `--since must be a number of days or hours, like 7d or 24h (got "${parsed.values.since}")\n${USAGE}`,
    );
  const ms = Number(period[1]) * (period[2] === 'd' ? 24 : 1) * 60 * 60_000;
  const log = new AnswerLog(config.answersDb, config.retainDays);
  try {
    const report = buildReport(log, Date.now() - ms);
    process.stdout.write(parsed.values.json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
  } finally {
    log.close();
  }
});

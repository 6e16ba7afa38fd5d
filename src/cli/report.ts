// `npm run report`: what the articles did not answer on Discord over a period, for the operator or as JSON:
// every server's questions, private ones and DMs included, by where they were asked (`--server ID`: one server's).
import { UsageError } from '../core/errors.js';
import { AnswerLog } from '../library/feedback/answer-log.js';
import { operatorReport, operatorText } from '../library/feedback/question-report.js';
import { commandArguments, serverOption } from './arguments.js';
import { runFootnoteCommand } from './run.js';
import { usage } from './usage.js';

const USAGE = usage('report');

runFootnoteCommand('report', ({ config, argv }) => {
  const parsed = commandArguments(
    argv,
    USAGE,
    { since: { type: 'string', default: '7d' }, server: { type: 'string' }, json: { type: 'boolean' } },
    { positionals: false },
  );
  if (!parsed) return;
  const period = /^(\d+)([dh])$/.exec(parsed.values.since);
  if (!period)
    throw new UsageError(
      `--since must be a number of days or hours, like 7d or 24h (got "${parsed.values.since}")\n${USAGE}`,
    );
  const server = serverOption(parsed.values.server, USAGE) ?? undefined;
  const ms = Number(period[1]) * (period[2] === 'd' ? 24 : 1) * 60 * 60_000;
  const log = new AnswerLog(config.answersDb, config.retainDays);
  try {
    const report = operatorReport(log, Date.now() - ms, server);
    process.stdout.write(parsed.values.json ? `${JSON.stringify(report, null, 2)}\n` : operatorText(report));
  } finally {
    log.close();
  }
});

/** /report for the people who may reindex: what the articles did not answer, shown only to them. */
import { escapeMarkdown } from 'discord.js';
import { buildReport, reportText } from '../../library/feedback/question-report.js';
import type { CommandContext } from '../command-types.js';
import { runFlow } from '../flow.js';
import { mayReport } from '../preconditions.js';
import { LIMITS, shorten } from '../render.js';
import type { Request } from '../request.js';

const DAY_MS = 24 * 60 * 60_000;

export function showReport(request: Request, days: number, context: CommandContext): Promise<void> {
  return runFlow(request, context, [mayReport({ days })], async () => {
    await request.defer();
    const report = buildReport(context.answers, Date.now() - days * DAY_MS);
    context.log.info({ audit: 'report', userId: request.userId, days, answers: report.answers }, 'report shown');
    await request.reply({ content: shorten(escapeMarkdown(reportText(report)), LIMITS.content), embeds: [] });
  });
}

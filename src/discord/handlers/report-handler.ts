/**
 * /report for the people who may reindex: what the articles did not answer in this server, shown only
 * to them. Never another server's questions, a private question's words or a direct message's question.
 */
import { reportText, serverReport } from '../../library/feedback/question-report.js';
import type { CommandContext } from '../command-types.js';
import { runFlow } from '../flow.js';
import { plain } from '../markdown.js';
import { mayReport } from '../preconditions.js';
import { LIMITS, shorten } from '../render.js';
import type { Request } from '../request.js';

const DAY_MS = 24 * 60 * 60_000;

export const REPORT_IN_A_SERVER =
  'A report shows one server’s questions: use /report in that server. Questions asked in direct messages are ' +
  'shown only to the bot’s operator.';

export function showReport(request: Request, days: number, context: CommandContext): Promise<void> {
  return runFlow(request, context, [mayReport({ days })], async () => {
    const guildId = request.guildId;
    // In a DM (ADMIN_USER_IDS only get this far) there is no server whose questions to show.
    if (guildId === null) return request.reply({ content: REPORT_IN_A_SERVER, embeds: [] });
    await request.defer();
    const report = serverReport(context.answers, Date.now() - days * DAY_MS, guildId);
    context.log.info({ audit: 'report', days, answers: report.answers }, 'report shown');
    await request.reply({ content: shorten(plain(reportText(report)), LIMITS.content), embeds: [] });
  });
}

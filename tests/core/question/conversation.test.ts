import { describe, expect, it } from 'vitest';
import { inConversation } from '../../../src/core/question/conversation.js';
import { Footnote } from '../../../src/library/footnote.js';
import { silentLog, testConfig } from '../../support/setup.js';

const SO_FAR = { questions: ['Who does Jack Ma have tremendous respect for?'], files: [] };

describe('a follow-up question', () => {
  it.each([
    ['When did he say that?', 'When did he say that? Who does Jack Ma have tremendous respect for?'],
    ['And what about payments?', 'And what about payments? Who does Jack Ma have tremendous respect for?'],
    ['Why?', 'Why? Who does Jack Ma have tremendous respect for?'],
    // A question with its own subject stands alone.
    ['What is Alipay?', 'What is Alipay?'],
  ])('%s is read as %s', (question, read) => {
    expect(inConversation(question, SO_FAR)).toBe(read);
  });

  it('reaches back past earlier follow-ups to the question that named the subject', () => {
    const conversation = { questions: [...SO_FAR.questions, 'When did he say that?'], files: [] };
    expect(inConversation('Where?', conversation)).toBe(
      'Where? When did he say that? Who does Jack Ma have tremendous respect for?',
    );
  });

  it('is answered differently with its conversation than asked cold, and the answer says what was asked', async () => {
    const footnote = new Footnote(testConfig({ RETRIEVAL_MODE: 'lexical' }), silentLog);
    try {
      const cold = await footnote.ask('When did he say that?');
      expect(cold.found).toBe(false);
      const followed = await footnote.ask('When did he say that?', { conversation: SO_FAR });
      expect(followed.question).toBe('When did he say that?');
      expect(followed.citations[0]!.quote).toContain('conference on Monday that he has tremendous respect');
    } finally {
      await footnote.close();
    }
  });
});

// A follow-up question read with the conversation before it ("when did he say that?", "and what about Apple?"):
// it takes the previous question's words, and the articles cited so far are searched first. Still extractive: the
// context changes what is searched, never what is quoted.
import { contentTerms } from '../text/words.js';

/** A conversation's last turns: the questions asked, oldest first, and the files their answers cited. */
export interface Conversation {
  questions: string[];
  files: string[];
}

// Words that point back at what was said before: a question with one leans on the previous one.
const LEANS_BACK =
  /^\s*(?:and|also|so|but|what about|how about|then)\b|\b(?:he|she|it|they|him|her|them|his|hers|its|their|theirs|that|this|those|these|there|then)\b/i;
// A question with no content word of its own ("Why?", "When was that?") says nothing on its own;
// one word ("What is Alipay?") is a subject.
const MIN_OWN_TERMS = 1;

/**
 * The text searched and scored for `question` in `conversation`: when it leans on what came
 * before (a word pointing back, or too few words of its own), the question with the earlier
 * questions back to the last one that had words of its own (a follow-up of a follow-up still
 * reaches the subject); else the question alone.
 */
export function inConversation(question: string, conversation: Conversation | undefined): string {
  if (!conversation?.questions.length) return question;
  if (!LEANS_BACK.test(question) && contentTerms(question).length >= MIN_OWN_TERMS) return question;
  let text = question;
  for (const previous of [...conversation.questions].reverse()) {
    text = `${text} ${previous}`;
    if (contentTerms(previous).length >= MIN_OWN_TERMS) break;
  }
  return text;
}

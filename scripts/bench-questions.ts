import { sentenceSpans } from '../src/core/text/sentences.js';
import { UsageError } from '../src/core/errors.js';
import { mulberry32 } from './random.js';

/** Every OFF_TOPIC_EVERY-th question is one the corpus cannot answer. */
const OFF_TOPIC_EVERY = 10;
const OFF_TOPIC = [
  'How long should sourdough bread dough rise before baking?',
  'What is the offside rule in association football?',
  'How do I tune the strings of a classical guitar?',
  'Which stages does a monarch butterfly go through?',
  'When may a chess player castle queenside?',
  'Which smartphone has the best night camera?',
  'How many stitches does a beginner knitting a scarf cast on?',
  'How do cactus plants photosynthesise at night?',
  'Why does Hamlet hesitate to kill Claudius?',
  'How do you teach a puppy to sit and stay?',
  'What is the smoke point of extra virgin olive oil?',
  'Why do the volcanoes on Io erupt sulphur?',
  'How does a sourdough starter stay alive in the fridge?',
  'Who painted the ceiling of the Sistine Chapel?',
  'What is the best wax for cross-country skis?',
  'How do octopuses change the colour of their skin?',
  'What temperature should espresso water be?',
  'How are emoji added to the Unicode standard?',
  'Which video game console sold the most units?',
  'How do you replace a bicycle inner tube?',
];

export interface BenchQuestion {
  text: string;
  /** The article the words were taken from; null for off-topic questions. */
  articleId: string | null;
}

/**
 * Questions made of 6–14 consecutive words of a sentence of a random passage, and every
 * OFF_TOPIC_EVERY-th one a question the corpus has nothing on. Same seed, same questions.
 */
export function makeQuestions(
  passages: { articleId: string; text: string }[],
  count: number,
  seed: number,
): BenchQuestion[] {
  const random = mulberry32(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const questions: BenchQuestion[] = [];
  for (let misses = 0; questions.length < count;) {
    if (questions.length % OFF_TOPIC_EVERY === OFF_TOPIC_EVERY - 1) {
      questions.push({
        text: OFF_TOPIC[Math.floor(questions.length / OFF_TOPIC_EVERY) % OFF_TOPIC.length]!,
        articleId: null,
      });
      continue;
    }
    const passage = pick(passages);
    const sentences = sentenceSpans(passage.text)
      .map((s) =>
        passage.text
          .slice(s.start, s.end)
          .split(/\s+/)
          .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
          .filter(Boolean),
      )
      .filter((words) => words.length >= 6);
    if (!sentences.length) {
      if (++misses > 1000)
        throw new UsageError('the passages have too few sentences of 6 words or more to make questions from');
      continue;
    }
    const words = pick(sentences);
    const length = 6 + Math.floor(random() * (Math.min(14, words.length) - 5));
    const start = Math.floor(random() * (words.length - length + 1));
    questions.push({ text: `${words.slice(start, start + length).join(' ')}?`, articleId: passage.articleId });
  }
  return questions;
}

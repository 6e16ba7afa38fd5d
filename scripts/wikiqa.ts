import fs from 'node:fs';
import path from 'node:path';

/** One WikiQA summary: a Wikipedia page's opening paragraph, split into its sentences. */
export interface WikiQaDocument {
  id: string;
  title: string;
  sentences: string[];
}

export interface WikiQaQuestion {
  id: string;
  question: string;
  document: string;
  /** The sentences crowd workers labelled as answering it (none: the summary does not answer it). */
  answers: string[];
}

const COLUMNS = ['QuestionID', 'Question', 'DocumentID', 'DocumentTitle', 'SentenceID', 'Sentence', 'Label'];

/**
 * Reads WikiQA's TSV (one row per question × sentence of its summary). Throws, naming the line,
 * when the file is not in that format.
 */
export function parseWikiQa(tsv: string): { documents: WikiQaDocument[]; questions: WikiQaQuestion[] } {
  const lines = tsv.split(/\r?\n/);
  if (lines[0]?.split('\t').join(',') !== COLUMNS.join(',')) {
    throw new Error(`not a WikiQA TSV: the first line must be the columns ${COLUMNS.join(' ')}`);
  }
  const documents = new Map<string, WikiQaDocument & { order: Map<number, string> }>();
  const questions = new Map<string, WikiQaQuestion>();
  lines.slice(1).forEach((line, i) => {
    if (!line.trim()) return;
    const cells = line.split('\t');
    if (cells.length !== COLUMNS.length)
      throw new Error(`line ${i + 2}: expected ${COLUMNS.length} tab-separated columns, got ${cells.length}`);
    const [questionId, question, documentId, title, sentenceId, sentence, label] = cells as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const position = Number(sentenceId.slice(sentenceId.lastIndexOf('-') + 1));
    if (!Number.isInteger(position) || !['0', '1'].includes(label))
      throw new Error(`line ${i + 2}: bad SentenceID "${sentenceId}" or Label "${label}"`);
    const document = documents.get(documentId) ?? {
      id: documentId,
      title,
      sentences: [],
      order: new Map<number, string>(),
    };
    document.order.set(position, sentence);
    documents.set(documentId, document);
    const entry = questions.get(questionId) ?? { id: questionId, question, document: documentId, answers: [] };
    if (label === '1') entry.answers.push(sentence);
    questions.set(questionId, entry);
  });
  return {
    documents: [...documents.values()].map(({ order, ...d }) => ({
      ...d,
      sentences: [...order.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s),
    })),
    questions: [...questions.values()],
  };
}

/**
 * The middle half of a sentence's words (all of a short one): what a citation must hold to count
 * as quoting it, so that a citation is not wrong only because Footnote ended or began the
 * sentence a word or two elsewhere than the labellers' tokenizer did ("(c. 482 – 565)").
 */
export function middleWords(sentence: string): string {
  const words = sentence.split(/\s+/).filter(Boolean);
  if (words.length <= 6) return words.join(' ');
  const cut = Math.floor(words.length / 4);
  return words.slice(cut, words.length - cut).join(' ');
}

/** `D8` + "Tissue (biology)" → `D8-tissue-biology.txt`. */
export function articleFileName(document: WikiQaDocument): string {
  const slug = document.title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `${document.id}${slug ? `-${slug}` : ''}.txt`;
}

/**
 * Writes every summary as an article (`OUT/articles/D8-tissue-biology.txt`: front matter with the
 * page title, then its sentences as one paragraph, verbatim) and the questions in the eval
 * harness's format (`OUT/questions.jsonl`): a question is answered by a citation of its page that
 * holds one of the labelled sentences (its middle words); one with no labelled sentence expects "not found".
 */
export function writeWikiQa(
  tsv: string,
  outDir: string,
): { articles: string; questions: string; answerable: number; unanswerable: number } {
  const { documents, questions } = parseWikiQa(tsv);
  const articles = path.join(outDir, 'articles');
  fs.mkdirSync(articles, { recursive: true });
  const files = new Map<string, string>();
  for (const document of documents) {
    const file = articleFileName(document);
    files.set(document.id, file);
    const header = [
      '---',
      `title: ${JSON.stringify(document.title)}`,
      'source: "Wikipedia"',
      `wikiqa: ${document.id}`,
      '---',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(articles, file), `${header}${document.sentences.join(' ')}\n`);
  }
  const lines = [
    `// WikiQA questions (${questions.length}) asked against all ${documents.length} summaries in ${articles}; ` +
      'written by npm run corpus:wikiqa.',
  ];
  for (const q of questions) {
    const expect = q.answers.length
      ? { files: [files.get(q.document)!], quotes: q.answers.map(middleWords) }
      : { found: false };
    lines.push(JSON.stringify({ question: q.question, expect }));
  }
  const questionsFile = path.join(outDir, 'questions.jsonl');
  fs.writeFileSync(questionsFile, `${lines.join('\n')}\n`);
  const answerable = questions.filter((q) => q.answers.length).length;
  return { articles, questions: questionsFile, answerable, unanswerable: questions.length - answerable };
}

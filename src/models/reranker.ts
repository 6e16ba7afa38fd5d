// The optional re-ranker: a cross-encoder that scores how well each retrieved passage answers the question.
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { describeLoadFailure, pretrainedOptions, resolveDtype, type ModelRole, type ModelSource } from './loading.js';
import { ModelLoadError } from '../core/errors.js';

/** Scores how well passages answer a question by reading each (question, passage) pair together. */
export interface Reranker {
  /** RERANK_MODEL as configured: hub id or absolute directory. */
  readonly model: string;
  /** One relevance per passage, in input order, from 0 (unrelated) to 1. */
  score(question: string, passages: string[]): Promise<number[]>;
  dispose(): Promise<void>;
}

export interface RerankerOptions extends ModelSource {
  /** `auto` as for the embedder: q8 where the model ships onnx/model_quantized.onnx, else fp32. */
  dtype: string;
}

const BATCH_SIZE = 16;

const RERANK_ROLE: ModelRole = {
  noun: 're-ranking model',
  variable: 'RERANK_MODEL',
  disable: 'unset RERANK_MODEL to turn re-ranking off',
};

/** Loads a cross-encoder (a sequence-classification model such as Xenova/ms-marco-MiniLM-L-6-v2). */
export async function loadReranker(options: RerankerOptions): Promise<Reranker> {
  const dtype = resolveDtype(options);
  const failure = (error: unknown) => new ModelLoadError(describeLoadFailure(RERANK_ROLE, options, dtype, error));

  let tokenizer: PreTrainedTokenizer;
  let model: PreTrainedModel;
  try {
    const { AutoModelForSequenceClassification, AutoTokenizer } = await import('@huggingface/transformers');
    const pretrained = await pretrainedOptions(options, dtype);
    tokenizer = await AutoTokenizer.from_pretrained(options.model, pretrained);
    model = await AutoModelForSequenceClassification.from_pretrained(options.model, pretrained);
  } catch (error) {
    throw failure(error);
  }

  /** The relevance logit of each (question, passage) pair. */
  const relevance = async (question: string, passages: string[]): Promise<number[]> => {
    const inputs = tokenizer(
      passages.map(() => question),
      // Only BertTokenizer returns segment ids by default; a cross-encoder needs them to tell question from passage.
      { text_pair: passages, padding: true, truncation: true, return_token_type_ids: true },
    );
    const { logits } = (await model(inputs)) as { logits?: Tensor };
    // transformers.js picks the class from config.model_type alone, so an embedding model loads "fine" without logits.
    if (logits?.dims.length !== 2) {
      throw new Error(
        'the model has no logits output [batch, labels]; it is not a sequence-classification (cross-encoder) model',
      );
    }
    const labels = logits.dims[1]!;
    // fp16 weights may come with fp16 outputs, which Node 20 holds as raw Uint16Array bits.
    const data = logits.to('float32').data as Float32Array;
    // One label: the relevance logit. Two (not relevant, relevant): the last one.
    const result = passages.map((_, row) => data[row * labels + labels - 1]!);
    logits.dispose();
    return result;
  };

  try {
    await relevance('probe', ['probe']);
  } catch (error) {
    await model.dispose();
    throw failure(error);
  }

  return {
    model: options.model,
    async score(question, passages) {
      const scores: number[] = [];
      for (let i = 0; i < passages.length; i += BATCH_SIZE) {
        for (const logit of await relevance(question, passages.slice(i, i + BATCH_SIZE))) scores.push(sigmoid(logit));
      }
      return scores;
    },
    async dispose() {
      await model.dispose();
    },
  };
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

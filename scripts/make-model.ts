/**
 * Generates a tiny BERT-shaped embedding model (tokenizer + config + ONNX graph) that
 * transformers.js loads through its normal code path, so tests never need a model hub.
 *
 * The "model" is a bag of words: each whole-word token maps to a fixed pseudo-random unit
 * vector derived from the word itself, and the graph only looks tokens up (no attention).
 * Mean-pooled sentence vectors are therefore similar exactly when sentences share content words.
 * A matching cross-encoder (re-ranker) scores a text pair by the cosine of its two halves' mean word vectors.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
// onnx-proto is CommonJS without named-export hints, so only the default import works from ESM.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface MakeTestModelOptions {
  /** Embedding width (hidden_size). Default 64. */
  dims?: number;
  /**
   * Weight of one direction every word shares (default 0): like many real models, whose texts
   * all look alike (cosines of 0.7 and more) and differ only above that.
   */
  sharedDirection?: number;
}

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
const PAD_ID = 0;
const CLS_ID = 2;
const SEP_ID = 3;

const MAX_WORDS = 60_000;
/** WordPiece turns longer pre-tokens into [UNK], so longer words would be dead vocabulary. */
const MAX_INPUT_CHARS_PER_WORD = 100;
const STOP_WORD_SCALE = 0.05;
/**
 * Cross-encoder logit = scale * cosine - offset, so after a sigmoid a cosine of 0.3 scores 0.5,
 * the shipped article's answer to "Is Jack Ma open to working with Apple on payments?" (cosine
 * about 0.4) about 0.7, and unrelated text (cosine about 0) about 0.08.
 */
const RELEVANCE_SCALE = 8;
const RELEVANCE_OFFSET = 2.4;

/** Frequent function words: scaled down so that questions ("who did what ...") match on content. */
const STOP_WORDS: ReadonlySet<string> = new Set([
  'the',
  'a',
  'an',
  'of',
  'and',
  'or',
  'but',
  'nor',
  'to',
  'in',
  'on',
  'at',
  'by',
  'for',
  'with',
  'as',
  'from',
  'into',
  'about',
  'than',
  'then',
  'so',
  'if',
  'not',
  'no',
  'is',
  'was',
  'are',
  'were',
  'be',
  'been',
  'being',
  'am',
  'has',
  'have',
  'had',
  'do',
  'does',
  'did',
  'done',
  'will',
  'would',
  'can',
  'could',
  'should',
  'shall',
  'may',
  'might',
  'must',
  'he',
  'she',
  'it',
  'they',
  'we',
  'you',
  'i',
  'me',
  'him',
  'her',
  'his',
  'hers',
  'its',
  'their',
  'them',
  'our',
  'us',
  'your',
  'my',
  'this',
  'that',
  'these',
  'those',
  'there',
  'here',
  'what',
  'who',
  'whom',
  'whose',
  'which',
  'when',
  'where',
  'why',
  'how',
  'all',
  'any',
  'some',
  'such',
  'also',
  'very',
  'only',
  'just',
]);

const PUNCTUATION = [
  ...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  '\u2018',
  '\u2019',
  '\u201C',
  '\u201D',
  '\u2013',
  '\u2014',
  '\u2026',
];
const BASE_CHARS = [...'abcdefghijklmnopqrstuvwxyz0123456789', ...PUNCTUATION];

/**
 * Same steps, in the same order, as the BertNormalizer of @huggingface/tokenizers
 * (clean_text, handle_chinese_chars, lowercase, strip_accents), so that vocabulary words are
 * spelled exactly as the tokenizer will see them at run time.
 */
export function bertNormalize(text: string): string {
  return (
    text
      // clean_text: drop NUL, U+FFFD and control/format chars (tab/CR/LF survive), map white space to ' '.
      .replace(/[\0\uFFFD]/g, '')
      .replace(/(?![\t\n\r])[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu, '')
      .replace(/\s/gu, ' ')
      // handle_chinese_chars: the JS tokenizer checks UTF-16 code units, so only BMP CJK ranges count.
      .replace(/[\u4E00-\u9FFF\u3400-\u4DBF\uF900-\uFAFF]/g, ' $& ')
      .toLowerCase()
      // strip_accents: NFD, then drop non-spacing marks.
      .normalize('NFD')
      .replace(/\p{Mn}/gu, '')
  );
}

/** Distinct words of `texts` (normalized), most frequent first, ties by code-unit order. */
function collectWords(texts: string[], exclude: ReadonlySet<string>, limit: number): string[] {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const match of bertNormalize(text).matchAll(/[\p{L}\p{N}]+/gu)) {
      const word = match[0];
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  const words = [...counts]
    .filter(([w]) => !exclude.has(w) && [...w].length <= MAX_INPUT_CHARS_PER_WORD)
    // Explicit code-unit comparison: localeCompare would depend on the ICU build.
    .sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0))
    .map(([w]) => w);
  return words.slice(0, limit);
}

/**
 * A deterministic pseudo-random unit vector seeded by the word alone, so a word's vector does
 * not depend on the vocabulary it was built with. Uses only integer ops, +, * and sqrt (all
 * exactly specified by IEEE 754), so every platform produces the same bits.
 */
function wordVector(word: string, dims: number): Float64Array {
  const seed = createHash('sha256').update(word, 'utf8').digest();
  // sfc32: small, well-mixed 32-bit generator.
  let a = seed.readUInt32LE(0);
  let b = seed.readUInt32LE(4);
  let c = seed.readUInt32LE(8);
  let d = seed.readUInt32LE(12);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  const v = new Float64Array(dims);
  let norm2 = 0;
  for (let i = 0; i < dims; i++) {
    // Irwin–Hall(4) - 2: a near-Gaussian component without log/cos, keeping directions near-isotropic.
    const x = next() + next() + next() + next() - 2;
    v[i] = x;
    norm2 += x * x;
  }
  const inv = 1 / Math.sqrt(norm2);
  for (let i = 0; i < dims; i++) v[i] = v[i]! * inv;
  return v;
}

function float32Bytes(values: Float32Array | number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  // Explicit little-endian: ONNX raw_data is little-endian whatever the host is.
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

function int64Bytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(values[i]!), true);
  return out;
}

const { DataType } = onnx.TensorProto;
const dynamic = (...rest: number[]) => ({
  dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }, ...rest.map((dimValue) => ({ dimValue }))],
});
const input = (name: string) => ({
  name,
  type: { tensorType: { elemType: DataType.INT64, shape: dynamic() } },
});
const BERT_INPUTS = [input('input_ids'), input('attention_mask'), input('token_type_ids')];
const castToFloat = (name: string, from: string, to: string) => ({
  opType: 'Cast',
  name,
  input: [from],
  output: [to],
  attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: DataType.FLOAT }],
});

function encodeModel(graph: Parameters<typeof onnx.GraphProto.create>[0]): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'footnote-make-test-model',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

function buildOnnx(vocabSize: number, dims: number, wordEmbeddings: Uint8Array): Uint8Array {
  return encodeModel({
    name: 'bag_of_words_bert',
    initializer: [
      { name: 'word_embeddings', dims: [vocabSize, dims], dataType: DataType.FLOAT, rawData: wordEmbeddings },
      // All zeros: token types must not change the vector, but the input has to be consumed.
      {
        name: 'token_type_embeddings',
        dims: [2, dims],
        dataType: DataType.FLOAT,
        rawData: new Uint8Array(2 * dims * 4),
      },
      { name: 'unsqueeze_axes', dims: [1], dataType: DataType.INT64, rawData: int64Bytes([-1]) },
    ],
    node: [
      { opType: 'Gather', name: 'word_lookup', input: ['word_embeddings', 'input_ids'], output: ['words'] },
      { opType: 'Gather', name: 'type_lookup', input: ['token_type_embeddings', 'token_type_ids'], output: ['types'] },
      { opType: 'Add', name: 'embed_sum', input: ['words', 'types'], output: ['embeddings'] },
      castToFloat('mask_to_float', 'attention_mask', 'mask_float'),
      { opType: 'Unsqueeze', name: 'mask_expand', input: ['mask_float', 'unsqueeze_axes'], output: ['mask_3d'] },
      { opType: 'Mul', name: 'apply_mask', input: ['embeddings', 'mask_3d'], output: ['last_hidden_state'] },
    ],
    input: BERT_INPUTS,
    output: [
      {
        name: 'last_hidden_state',
        type: { tensorType: { elemType: DataType.FLOAT, shape: dynamic(dims) } },
      },
    ],
  });
}

/**
 * logits [batch, 1] = RELEVANCE_SCALE * cos(A, B) - RELEVANCE_OFFSET, where A and B sum the word
 * vectors of the unmasked segment-0 and segment-1 tokens. A sum points the same way as the mean,
 * so the cosine needs no token counts; an empty segment (no known words) gets cosine 0.
 */
function buildCrossEncoderOnnx(vocabSize: number, dims: number, wordEmbeddings: Uint8Array): Uint8Array {
  const scalar = (name: string, value: number) => ({
    name,
    dims: [],
    dataType: DataType.FLOAT,
    rawData: float32Bytes([value]),
  });
  const op = (opType: string, input: string[], output: string, attribute: object[] = []) => ({
    opType,
    name: output,
    input,
    output: [output],
    attribute,
  });
  const { INT, INTS } = onnx.AttributeProto.AttributeType;
  const keepLastAxis = [
    { name: 'axes', type: INTS, ints: [-1] },
    { name: 'keepdims', type: INT, i: 1 },
  ];
  // Sum over the sequence of the word vectors picked by `mask` [batch, seq], scaled to unit length.
  const segment = (mask: string) => [
    op('Unsqueeze', [mask, 'last_axis'], `${mask}_3d`),
    op('Mul', ['words', `${mask}_3d`], `${mask}_words`),
    op('ReduceSum', [`${mask}_words`, 'sequence_axis'], `${mask}_sum`, [{ name: 'keepdims', type: INT, i: 0 }]),
    op('ReduceL2', [`${mask}_sum`], `${mask}_norm`, keepLastAxis),
    op('Max', [`${mask}_norm`, 'epsilon'], `${mask}_safe_norm`),
    op('Div', [`${mask}_sum`, `${mask}_safe_norm`], `${mask}_unit`),
  ];
  return encodeModel({
    name: 'bag_of_words_cross_encoder',
    initializer: [
      { name: 'word_embeddings', dims: [vocabSize, dims], dataType: DataType.FLOAT, rawData: wordEmbeddings },
      { name: 'last_axis', dims: [1], dataType: DataType.INT64, rawData: int64Bytes([-1]) },
      { name: 'sequence_axis', dims: [1], dataType: DataType.INT64, rawData: int64Bytes([1]) },
      scalar('epsilon', 1e-6),
      scalar('scale', RELEVANCE_SCALE),
      scalar('offset', RELEVANCE_OFFSET),
    ],
    node: [
      op('Gather', ['word_embeddings', 'input_ids'], 'words'),
      castToFloat('mask_to_float', 'attention_mask', 'mask'),
      castToFloat('segment_to_float', 'token_type_ids', 'segment'),
      // Padding has token type 0, so segment A is mask - mask*segment rather than 1 - segment.
      op('Mul', ['mask', 'segment'], 'mask_b'),
      op('Sub', ['mask', 'mask_b'], 'mask_a'),
      ...segment('mask_a'),
      ...segment('mask_b'),
      op('Mul', ['mask_a_unit', 'mask_b_unit'], 'products'),
      op('ReduceSum', ['products', 'last_axis'], 'cosine', [{ name: 'keepdims', type: INT, i: 1 }]),
      op('Mul', ['cosine', 'scale'], 'scaled'),
      op('Sub', ['scaled', 'offset'], 'logits'),
    ],
    input: BERT_INPUTS,
    output: [
      {
        name: 'logits',
        type: {
          tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimParam: 'batch_size' }, { dimValue: 1 }] } },
        },
      },
    ],
  });
}

function tokenizerJson(vocab: string[]): unknown {
  const special = (id: number) => ({ id: SPECIAL_TOKENS[id]!, ids: [id], tokens: [SPECIAL_TOKENS[id]!] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: true,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': special(CLS_ID), '[SEP]': special(SEP_ID) },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: MAX_INPUT_CHARS_PER_WORD,
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
    },
  };
}

function tokenizerConfigJson(): unknown {
  return {
    added_tokens_decoder: Object.fromEntries(
      SPECIAL_TOKENS.map((content, id) => [
        String(id),
        { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true },
      ]),
    ),
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    do_basic_tokenize: true,
    do_lower_case: true,
    mask_token: '[MASK]',
    model_max_length: 512,
    never_split: null,
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: '[UNK]',
  };
}

function configJson(vocabSize: number, dims: number): Record<string, unknown> {
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: vocabSize,
    hidden_size: dims,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: dims,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    initializer_range: 0.02,
    layer_norm_eps: 1e-12,
    pad_token_id: PAD_ID,
    position_embedding_type: 'absolute',
    use_cache: false,
  };
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

/** The tokenizer vocabulary for `texts` and its word-vector table (little-endian float32 rows). */
function vocabulary(
  texts: string[],
  dims: number,
  sharedDirection = 0,
): { vocab: string[]; wordEmbeddings: Uint8Array } {
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`dims must be a positive integer, got ${dims}`);

  // Pieces that let unknown words tokenize into something other than [UNK]; they carry no meaning.
  const pieces = [...BASE_CHARS, ...BASE_CHARS.map((c) => `##${c}`)];
  const base = [...SPECIAL_TOKENS, ...pieces];
  const words = collectWords(texts, new Set(base), MAX_WORDS);
  const vocab = [...base, ...words];

  // Rows of special tokens and pieces stay zero: unknown words then add nothing to the mean
  // (apart from diluting it), instead of making unrelated texts look alike.
  const table = new Float32Array(vocab.length * dims);
  const shared = wordVector('\u0000shared', dims);
  words.forEach((word, i) => {
    const row = (base.length + i) * dims;
    const v = wordVector(word, dims).map((x, j) => x + sharedDirection * shared[j]!);
    const scale = STOP_WORDS.has(word) ? STOP_WORD_SCALE : 1;
    for (let j = 0; j < dims; j++) table[row + j] = v[j]! * scale;
  });
  return { vocab, wordEmbeddings: float32Bytes(table) };
}

async function writeModel(dir: string, vocab: string[], config: unknown, onnxModel: Uint8Array): Promise<void> {
  await mkdir(path.join(dir, 'onnx'), { recursive: true });
  await Promise.all([
    writeFile(path.join(dir, 'tokenizer.json'), json(tokenizerJson(vocab))),
    writeFile(path.join(dir, 'tokenizer_config.json'), json(tokenizerConfigJson())),
    writeFile(path.join(dir, 'config.json'), json(config)),
    writeFile(path.join(dir, 'onnx', 'model.onnx'), onnxModel),
  ]);
}

/**
 * Writes a loadable feature-extraction model into `dir` (created if missing): tokenizer.json,
 * tokenizer_config.json, config.json and onnx/model.onnx. Same inputs give byte-identical files.
 */
export async function makeTestModel(dir: string, texts: string[], options: MakeTestModelOptions = {}): Promise<void> {
  const dims = options.dims ?? 64;
  const { vocab, wordEmbeddings } = vocabulary(texts, dims, options.sharedDirection);
  await writeModel(dir, vocab, configJson(vocab.length, dims), buildOnnx(vocab.length, dims, wordEmbeddings));
}

/**
 * Writes a loadable cross-encoder (BertForSequenceClassification, one relevance logit) into
 * `dir`, with the same tokenizer and word vectors as makeTestModel for the same inputs.
 */
export async function makeTestCrossEncoder(
  dir: string,
  texts: string[],
  options: MakeTestModelOptions = {},
): Promise<void> {
  const dims = options.dims ?? 64;
  const { vocab, wordEmbeddings } = vocabulary(texts, dims);
  const config = { ...configJson(vocab.length, dims), architectures: ['BertForSequenceClassification'], num_labels: 1 };
  await writeModel(dir, vocab, config, buildCrossEncoderOnnx(vocab.length, dims, wordEmbeddings));
}

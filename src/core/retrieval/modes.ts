/**
 * The one vocabulary of retrieval modes: the modes a question is answered in, the settings that
 * choose one, and what each means for the index a build writes.
 */

/** How a question is searched: words and meaning fused, meaning only, or words only. */
export const RETRIEVAL_MODES = ['hybrid', 'dense', 'lexical'] as const;
export type RetrievalMode = (typeof RETRIEVAL_MODES)[number];

/** RETRIEVAL_MODE and --mode: a mode, or `auto` = hybrid, and lexical while the model cannot be loaded. */
export const MODE_SETTINGS = ['auto', ...RETRIEVAL_MODES] as const;
export type ModeSetting = (typeof MODE_SETTINGS)[number];

/** Whether answering in this mode needs the index's vectors and the model. */
export function needsVectors(mode: RetrievalMode): boolean {
  return mode !== 'lexical';
}

/**
 * Whether a build writes vectors: `required` (a model failure fails the build), `if-available`
 * (without the model the index is words only, with a warning) or `none` (the model is not loaded).
 */
export type VectorPolicy = 'required' | 'if-available' | 'none';

/** The build a mode setting asks for. */
export function vectorPolicy(setting: ModeSetting): VectorPolicy {
  if (setting === 'lexical') return 'none';
  return setting === 'auto' ? 'if-available' : 'required';
}

export function isModeSetting(value: string): value is ModeSetting {
  return (MODE_SETTINGS as readonly string[]).includes(value);
}

export function isRetrievalMode(value: string): value is RetrievalMode {
  return (RETRIEVAL_MODES as readonly string[]).includes(value);
}

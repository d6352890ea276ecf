/** The tiktoken encodings ft knows, with everything needed to rebuild them exactly. */
export type EncodingName = 'cl100k_base' | 'o200k_base';

/** Static description of one encoding; the vocabulary itself is loaded lazily (see vocab.ts). */
export interface EncodingSpec {
  readonly name: EncodingName;
  /** File shipped by gpt-tokenizer@4.0.0 under data/ (byte-identical to OpenAI's blob). */
  readonly vocabFile: string;
  /** sha256 that tiktoken's openai_public.py pins for this vocabulary. */
  readonly sha256: string;
  /** Special tokens exactly as in tiktoken_ext/openai_public.py. */
  readonly specialTokens: Readonly<Record<string, number>>;
}

/** Names accepted by encode/countTokens; also used to reject typos at runtime. */
export const ENCODING_NAMES: readonly EncodingName[] = ['cl100k_base', 'o200k_base'];

export const ENCODINGS: Readonly<Record<EncodingName, EncodingSpec>> = {
  cl100k_base: {
    name: 'cl100k_base',
    vocabFile: 'cl100k_base.tiktoken',
    sha256: '223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7',
    specialTokens: {
      '<|endoftext|>': 100257,
      '<|fim_prefix|>': 100258,
      '<|fim_middle|>': 100259,
      '<|fim_suffix|>': 100260,
      '<|endofprompt|>': 100276,
    },
  },
  o200k_base: {
    name: 'o200k_base',
    vocabFile: 'o200k_base.tiktoken',
    sha256: '446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d',
    specialTokens: {
      '<|endoftext|>': 199999,
      '<|endofprompt|>': 200018,
    },
  },
};

/** Looks up a spec, failing loudly on names outside the supported set (JS callers skip types). */
export function getEncodingSpec(name: EncodingName): EncodingSpec {
  if (!Object.hasOwn(ENCODINGS, name)) {
    throw new RangeError(
      `Unknown encoding ${JSON.stringify(name)}; expected one of ${ENCODING_NAMES.join(', ')}`,
    );
  }
  return ENCODINGS[name];
}

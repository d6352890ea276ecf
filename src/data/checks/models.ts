import type {EncodingName} from '../../tokens/index.js';

/**
 * How a model's tokens are counted: a tiktoken encoding, or `bytes`, the embedded trainer's
 * tokenizer (one token per UTF-8 byte of content, plus a role token and an end-of-turn token per
 * message), which ft counts exactly.
 */
export type TokenScheme = EncodingName | 'bytes';

/** What the checks, statistics and cost estimate need to know about one model. */
export interface ModelInfo {
  /** The id as the recipe names it (an `ft:` id stays as given). */
  id: string;
  /** The model the figures come from: the id itself, or the base of an `ft:` id. */
  base: string;
  /** How the token statistics count. */
  encoding: TokenScheme;
  /** Training-example context in tokens (longer examples are truncated); null when not known. */
  trainingContext: number | null;
  /** USD per 1M training tokens; null unless SPEC.md section 6 has it from a source. */
  usdPerMillionTrainingTokens: number | null;
  /** Fewest examples the API accepts in a training file. */
  minExamples: number;
  /** Whether the base is a row of the table below (false: figures guessed from its name). */
  known: boolean;
  /** Why a figure is missing or guessed, for the plan output. */
  notes: string[];
}

/** SPEC.md section 2, Limits: "At least 10 examples" (live error `invalid_n_examples`). */
export const OPENAI_MIN_EXAMPLES = 10;

const CONTEXT_NOT_FOUND =
  'training context not known (SPEC.md section 2: not found for this model)';
const CONTEXT_FROM_MEMORY =
  'training context not known for certain (SPEC.md section 2: 16,384 is from memory only)';
const PRICE_FROM_MEMORY = 'training price not known for certain (SPEC.md section 6: memory only)';
const PRICE_NOT_LISTED = 'training price not known (not in SPEC.md section 6)';

interface ModelRow {
  readonly encoding: EncodingName;
  readonly trainingContext: number | null;
  readonly usdPerMillionTrainingTokens: number | null;
  readonly notes: readonly string[];
}

/**
 * Fine-tunable snapshots. Contexts from SPEC.md section 2 ("Training-example context per
 * model", guide table), prices from SPEC.md section 6; a figure SPEC.md only has from memory or
 * as a GUESS is null, so `ft plan` never shows a guessed limit or price as a fact.
 */
const MODELS: ReadonlyMap<string, ModelRow> = new Map<string, ModelRow>([
  // SPEC §2: 65,536 (guide table, Azure agrees); SPEC §6: $25.00 (3p sources).
  [
    'gpt-4o-2024-08-06',
    {encoding: 'o200k_base', trainingContext: 65_536, usdPerMillionTrainingTokens: 25, notes: []},
  ],
  // SPEC §2: 65,536; SPEC §6: $3.00 (derived from the guide's example, 3p agree).
  [
    'gpt-4o-mini-2024-07-18',
    {encoding: 'o200k_base', trainingContext: 65_536, usdPerMillionTrainingTokens: 3, notes: []},
  ],
  // SPEC §2: 16,385; SPEC §6: $8.00 (derived from the guide's example).
  [
    'gpt-3.5-turbo-0125',
    {encoding: 'cl100k_base', trainingContext: 16_385, usdPerMillionTrainingTokens: 8, notes: []},
  ],
  // SPEC §2: 16,385; no price in SPEC §6.
  [
    'gpt-3.5-turbo-1106',
    {
      encoding: 'cl100k_base',
      trainingContext: 16_385,
      usdPerMillionTrainingTokens: null,
      notes: [PRICE_NOT_LISTED],
    },
  ],
  // SPEC §2: 4,096 (also the old notebook's MAX_TOKENS_PER_EXAMPLE); no price in SPEC §6.
  [
    'gpt-3.5-turbo-0613',
    {
      encoding: 'cl100k_base',
      trainingContext: 4_096,
      usdPerMillionTrainingTokens: null,
      notes: [PRICE_NOT_LISTED],
    },
  ],
  // SPEC §2: in the older guide's list; no context and no price in SPEC.
  [
    'gpt-4-0613',
    {
      encoding: 'cl100k_base',
      trainingContext: null,
      usdPerMillionTrainingTokens: null,
      notes: [CONTEXT_NOT_FOUND, PRICE_NOT_LISTED],
    },
  ],
  // SPEC §2: gpt-4.1 family context "not found" (65,536 is a GUESS); SPEC §6: prices memory only.
  ...(['gpt-4.1-2025-04-14', 'gpt-4.1-mini-2025-04-14', 'gpt-4.1-nano-2025-04-14'] as const).map(
    (id): [string, ModelRow] => [
      id,
      {
        encoding: 'o200k_base',
        trainingContext: null,
        usdPerMillionTrainingTokens: null,
        notes: [
          'training context of the gpt-4.1 family not known (SPEC.md section 2: not found)',
          PRICE_FROM_MEMORY,
        ],
      },
    ],
  ),
  // SPEC §2/§6: reinforcement fine-tuning only, billed per training hour, not per token.
  [
    'o4-mini-2025-04-16',
    {
      encoding: 'o200k_base',
      trainingContext: null,
      usdPerMillionTrainingTokens: null,
      notes: [
        CONTEXT_NOT_FOUND,
        'reinforcement fine-tuning only, billed $100 per training hour (SPEC.md section 6), not per token',
      ],
    },
  ],
  // SPEC §2: 16,384 "from memory"; SPEC §6: $0.40 / $6.00 memory only. Legacy prompt/completion data.
  ...(['babbage-002', 'davinci-002'] as const).map((id): [string, ModelRow] => [
    id,
    {
      encoding: 'cl100k_base',
      trainingContext: null,
      usdPerMillionTrainingTokens: null,
      notes: [
        CONTEXT_FROM_MEMORY,
        PRICE_FROM_MEMORY,
        'legacy completions model: it trains on {prompt, completion} lines, which the chat checks do not cover',
      ],
    },
  ]),
]);

/** Families by id prefix, for ids not in the table (tiktoken's model-to-encoding prefixes). */
const FAMILY_ENCODINGS: ReadonlyArray<readonly [RegExp, EncodingName]> = [
  [/^gpt-4o/, 'o200k_base'],
  [/^gpt-4\.1/, 'o200k_base'],
  [/^o[134](-|$)/, 'o200k_base'],
  [/^gpt-4(-|$)/, 'cl100k_base'],
  [/^gpt-3\.5-/, 'cl100k_base'],
];

/**
 * The base of a fine-tuned model id `ft:{base}:{org}:{suffix}:{id}` (SPEC.md section 1.8), used
 * as the `model` of a continued-training job; undefined for any other id.
 */
function fineTunedBase(model: string): string | undefined {
  if (!model.startsWith('ft:')) return undefined;
  const base = model.split(':')[1];
  return base === undefined || base === '' ? undefined : base;
}

/**
 * Everything ft knows about an OpenAI model: a table row for a known snapshot; for an `ft:` id,
 * the row of its base (continued training, SPEC.md section 1.8); otherwise known=false, with the
 * encoding of the id's family (o200k_base for an id of no known family) and no context or price.
 */
export function openAIModelInfo(model: string): ModelInfo {
  const ftBase = fineTunedBase(model);
  const base = ftBase ?? model;
  const notes: string[] =
    ftBase === undefined ? [] : [`continued training of ${model}: figures of its base ${base}`];
  const row = MODELS.get(base);
  if (row !== undefined) {
    return {
      id: model,
      base,
      encoding: row.encoding,
      trainingContext: row.trainingContext,
      usdPerMillionTrainingTokens: row.usdPerMillionTrainingTokens,
      minExamples: OPENAI_MIN_EXAMPLES,
      known: true,
      notes: [...notes, ...row.notes],
    };
  }
  const family = FAMILY_ENCODINGS.find(([pattern]) => pattern.test(base));
  notes.push(
    family === undefined
      ? 'unknown model: statistics use o200k_base, no context limit or price known'
      : `model not in ft's table (use a dated snapshot): statistics use ${family[1]} as its family does, no context limit or price known`,
  );
  return {
    id: model,
    base,
    encoding: family?.[1] ?? 'o200k_base',
    trainingContext: null,
    usdPerMillionTrainingTokens: null,
    minExamples: OPENAI_MIN_EXAMPLES,
    known: false,
    notes,
  };
}

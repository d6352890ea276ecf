import type {ModelInfo} from './models.js';

/** The notebook's cost figures for one target (keys as `ft plan --json` shows them). */
export interface OpenAICostEstimate {
  /** n_epochs if set, else the notebook's default for the dataset size. */
  epochs: number;
  /** Σ min(training context, total tokens) over the examples (no cap when it is unknown). */
  billable_tokens: number;
  /** billable_tokens × epochs. */
  charged_tokens: number;
  /** charged_tokens / 1e6 × price; null when the model's price is not known. */
  usd: number | null;
}

/** The notebook's constants (SPEC.md section 3, "Cost and epoch constants"). */
const TARGET_EPOCHS = 3;
const MIN_TARGET_EXAMPLES = 100;
const MAX_TARGET_EXAMPLES = 25_000;
const MIN_DEFAULT_EPOCHS = 1;
const MAX_DEFAULT_EPOCHS = 25;

/**
 * The notebook's default epochs for n examples (SPEC.md section 3): 3, raised to
 * min(25, 100 // n) when n*3 < 100, lowered to max(1, 25000 // n) when n*3 > 25000. For n = 0
 * (where Python divides by zero) 100 // 0 is taken as infinite, giving 25.
 */
export function defaultEpochs(examples: number): number {
  if (examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES) {
    return examples === 0
      ? MAX_DEFAULT_EPOCHS
      : Math.min(MAX_DEFAULT_EPOCHS, Math.floor(MIN_TARGET_EXAMPLES / examples));
  }
  if (examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES) {
    return Math.max(MIN_DEFAULT_EPOCHS, Math.floor(MAX_TARGET_EXAMPLES / examples));
  }
  return TARGET_EPOCHS;
}

/**
 * The cookbook's estimate (SPEC.md section 3) with the model's cap and price (section 6, "cost
 * = price/1M × tokens × epochs"). `billableTokens` is the builder's Σ min(cap, total), which
 * needs every example's total and so is summed while streaming. n = report.examples, every
 * line of the file, as the notebook's len(dataset). n_epochs 'auto' (the API's value) or unset
 * takes the default.
 */
export function estimateOpenAI(
  report: {readonly examples: number},
  model: ModelInfo,
  hyperparameters: {readonly n_epochs?: number | 'auto' | undefined},
  billableTokens: number,
): OpenAICostEstimate {
  const requested = hyperparameters.n_epochs;
  if (typeof requested === 'number' && !(Number.isInteger(requested) && requested >= 1)) {
    throw new RangeError(`n_epochs must be a positive integer, got ${requested}`);
  }
  const epochs = typeof requested === 'number' ? requested : defaultEpochs(report.examples);
  const charged = billableTokens * epochs;
  const price = model.usdPerMillionTrainingTokens;
  return {
    epochs,
    billable_tokens: billableTokens,
    charged_tokens: charged,
    usd: price === null ? null : (charged / 1e6) * price,
  };
}

import type {FormatCheckName} from './format-checks.js';
import {checkExample, FormatErrors} from './format-checks.js';
import type {ModelInfo} from './models.js';
import type {DatasetStatistics} from './statistics.js';
import {ConversationStatistics} from './statistics.js';

/** What `ft plan --json` shows for one target's training file (snake_case, the contract). */
export interface DatasetReport extends DatasetStatistics {
  /** Every example (line) added, valid or not: the notebook's len(dataset). */
  examples: number;
  /** Only checks that failed, in order of first occurrence (the notebook's "Found errors"). */
  format_errors: Partial<Record<FormatCheckName, number>>;
}

/**
 * Builds the report of a training file one example at a time, in memory of three 32-bit counts
 * per example. Examples the checks skip (not an object, no messages list, a preference pair
 * without input or outputs) count in `examples` and `format_errors` but not in the statistics:
 * the notebook's statistics loop would crash on them, and they have no tokens to measure.
 */
export class DatasetReportBuilder {
  readonly model: ModelInfo;
  readonly #errors = new FormatErrors();
  readonly #statistics: ConversationStatistics;
  #examples = 0;

  constructor(model: ModelInfo) {
    this.model = model;
    this.#statistics = new ConversationStatistics(model.encoding, model.trainingContext);
  }

  /** Adds one example: a parsed JSONL line, of any JSON type. */
  add(example: unknown): void {
    this.#examples++;
    const conversation = checkExample(example, this.#errors);
    if (conversation !== undefined) this.#statistics.add(conversation);
  }

  /** The report so far (the builder can go on adding afterwards). */
  report(): DatasetReport {
    return {
      examples: this.#examples,
      format_errors: this.#errors.toJSON(),
      ...this.#statistics.summary(),
    };
  }

  /** Σ min(training context, total tokens) over the measured examples, for estimateOpenAI. */
  billableTokens(): number {
    return this.#statistics.billableTokens();
  }
}

import type {FormatCheckName} from './format-checks.js';
import {checkExample, FormatErrors, isPreferenceShaped} from './format-checks.js';
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
 * How many examples of a training file are chat examples (`messages`) and how many preference
 * pairs (`input`, `preferred_output`, `non_preferred_output`), with the 1-based line of the
 * first of each: a method trains on one shape only (supervised: chat; dpo: preference pairs).
 */
export interface DataShapes {
  chat: number;
  preference: number;
  first_chat?: number;
  first_preference?: number;
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
  readonly #shapes: DataShapes = {chat: 0, preference: 0};

  constructor(model: ModelInfo) {
    this.model = model;
    this.#statistics = new ConversationStatistics(model.encoding, model.trainingContext);
  }

  /** Adds one example: a parsed JSONL line, of any JSON type. */
  add(example: unknown): void {
    this.#examples++;
    if (typeof example === 'object' && example !== null && !Array.isArray(example)) {
      const record = example as Record<string, unknown>;
      if (record.messages === undefined && isPreferenceShaped(record)) {
        this.#shapes.preference++;
        this.#shapes.first_preference ??= this.#examples;
      } else if (record.messages !== undefined) {
        this.#shapes.chat++;
        this.#shapes.first_chat ??= this.#examples;
      }
    }
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

  /** The chat and preference examples so far (see DataShapes). */
  shapes(): DataShapes {
    return {...this.#shapes};
  }

  /** Σ min(training context, total tokens) over the measured examples, for estimateOpenAI. */
  billableTokens(): number {
    return this.#statistics.billableTokens();
  }
}

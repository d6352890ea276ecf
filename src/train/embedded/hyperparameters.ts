/**
 * The embedded trainer's hyperparameters. All are optional; the defaults train a small model
 * quickly on CPU (a few seconds for a few hundred short examples):
 *
 *   n_epochs (alias epochs)  3       passes over the training data
 *   batch_size               8       examples per optimizer step (the last batch of an epoch may be smaller)
 *   learning_rate            1e-3    peak AdamW learning rate
 *   max_seq_len              256     tokens per example seen by the model (right truncation); at
 *                                    most the model's context (n_ctx), which for embedded:tiny it sets
 *   warmup_ratio             0.1     fraction of all steps with a linear warmup, then cosine decay
 *                                    (toward 0: the last step's lr is still positive)
 *   weight_decay             0.01    AdamW decoupled decay (matrices and embeddings only)
 *   grad_clip                1.0     global gradient norm limit (0 turns clipping off)
 *   n_layer                  2       transformer blocks      } the model's size: fixed by
 *   d_model                  64      width                   } config.json when training a
 *   n_head                   4       attention heads         } saved model; a value that
 *   d_ff                     4*d_model  MLP width            } disagrees is an error
 *   checkpoint_every         0       steps between checkpoints; 0 means at each epoch's end only
 *                                    (epoch ends always checkpoint)
 *
 * AdamW's betas are 0.9 and 0.999, eps 1e-8. The thread count is not a hyperparameter: it never
 * changes results (env FT_EMBEDDED_THREADS).
 */
export interface Hyperparameters {
  readonly n_epochs: number;
  readonly batch_size: number;
  readonly learning_rate: number;
  readonly max_seq_len: number | undefined;
  readonly warmup_ratio: number;
  readonly weight_decay: number;
  readonly grad_clip: number;
  readonly n_layer: number | undefined;
  readonly d_model: number | undefined;
  readonly n_head: number | undefined;
  readonly d_ff: number | undefined;
  readonly checkpoint_every: number;
}

export const DEFAULTS = {
  n_epochs: 3,
  batch_size: 8,
  learning_rate: 1e-3,
  max_seq_len: 256,
  warmup_ratio: 0.1,
  weight_decay: 0.01,
  grad_clip: 1.0,
  n_layer: 2,
  d_model: 64,
  n_head: 4,
  checkpoint_every: 0,
} as const;

export const ADAM = {beta1: 0.9, beta2: 0.999, eps: 1e-8} as const;

const INTEGER = [
  'n_epochs',
  'batch_size',
  'max_seq_len',
  'n_layer',
  'd_model',
  'n_head',
  'd_ff',
  'checkpoint_every',
];
const KNOWN = new Set([
  ...INTEGER,
  'epochs',
  'learning_rate',
  'warmup_ratio',
  'weight_decay',
  'grad_clip',
]);

/** Reads the spec's hyperparameters; throws an Error naming every problem. */
export function parseHyperparameters(raw: Readonly<Record<string, unknown>>): Hyperparameters {
  const unknown = Object.keys(raw).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) {
    throw new Error(
      `unknown hyperparameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (embedded knows ${[...KNOWN].sort().join(', ')})`,
    );
  }
  if (raw.n_epochs !== undefined && raw.epochs !== undefined) {
    throw new Error('give n_epochs or its alias epochs, not both');
  }
  const problems: string[] = [];
  const num = (name: string, min: number, minInclusive: boolean, fallback: number | undefined) => {
    const v = raw[name];
    if (v === undefined || v === null) return fallback;
    const integer = INTEGER.includes(name) || name === 'epochs';
    if (
      typeof v !== 'number' ||
      !Number.isFinite(v) ||
      (integer && !Number.isSafeInteger(v)) ||
      (minInclusive ? v < min : v <= min)
    ) {
      problems.push(
        `${name} must be ${integer ? 'an integer' : 'a number'} ${minInclusive ? '>=' : '>'} ${min}, not ${JSON.stringify(v)}`,
      );
      return fallback;
    }
    return v;
  };
  const hp: Hyperparameters = {
    n_epochs: num('n_epochs', 1, true, undefined) ?? num('epochs', 1, true, DEFAULTS.n_epochs)!,
    batch_size: num('batch_size', 1, true, DEFAULTS.batch_size)!,
    learning_rate: num('learning_rate', 0, true, DEFAULTS.learning_rate)!,
    max_seq_len: num('max_seq_len', 2, true, undefined),
    warmup_ratio: num('warmup_ratio', 0, true, DEFAULTS.warmup_ratio)!,
    weight_decay: num('weight_decay', 0, true, DEFAULTS.weight_decay)!,
    grad_clip: num('grad_clip', 0, true, DEFAULTS.grad_clip)!,
    n_layer: num('n_layer', 1, true, undefined),
    d_model: num('d_model', 1, true, undefined),
    n_head: num('n_head', 1, true, undefined),
    d_ff: num('d_ff', 1, true, undefined),
    checkpoint_every: num('checkpoint_every', 0, true, DEFAULTS.checkpoint_every)!,
  };
  if (hp.warmup_ratio > 1) problems.push(`warmup_ratio must be at most 1, not ${hp.warmup_ratio}`);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return hp;
}

import type {Sha256} from '../../core/hash.js';
import type {StageKind} from '../../plan/stage-id.js';

/** One artifact a stage produced, as stored: an object in the store. */
export interface OutputRef {
  readonly hash: Sha256;
  readonly size: number;
}

/**
 * What `.ft/stages/<key>.json` holds: enough to restore a stage without running it (the
 * run-cache) and to explain it later.
 */
export interface StageRecord {
  readonly version: 1;
  readonly id: string;
  readonly kind: StageKind;
  readonly key: Sha256;
  readonly fingerprint: unknown;
  readonly outputs: Readonly<Record<string, OutputRef>>;
  /** Stage-specific facts: record counts, statistics, backend references. */
  readonly summary: Readonly<Record<string, unknown>>;
  readonly durationMs: number;
  /** When it ran (only in the store; the lockfile has no timestamps). */
  readonly createdAt: string;
}

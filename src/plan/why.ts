import {canonicalJson} from '../core/canonical-json.js';
import {formatPath, type PathSegment} from '../core/path-syntax.js';

/**
 * One reason a stage is not fresh: the fingerprint value at `what` was `from` and is now `to`
 * (null where absent). `{what: 'stage', from: null, to: 'new'}` marks a stage with no earlier
 * record to compare with.
 */
export interface Why {
  readonly what: string;
  readonly from: unknown;
  readonly to: unknown;
}

export const NEW_STAGE: readonly Why[] = [{what: 'stage', from: null, to: 'new'}];

/**
 * Every difference between two fingerprints, leaf by leaf, in a stable order. Lists compare
 * item by item, so an edited transform shows as `transforms[1].split.validation`, not as a
 * whole new list.
 */
export function diffFingerprints(previous: unknown, current: unknown): Why[] {
  const out: Why[] = [];
  walk(previous, current, [], out);
  return out;
}

function walk(a: unknown, b: unknown, path: PathSegment[], out: Why[]): void {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) walk(a[key] ?? null, b[key] ?? null, [...path, key], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      walk(a[i] ?? null, b[i] ?? null, [...path, i], out);
    }
    return;
  }
  if (canonicalJson(a ?? null) !== canonicalJson(b ?? null)) {
    out.push({what: formatPath(path) || 'fingerprint', from: a ?? null, to: b ?? null});
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Strict option validation shared by the metrics. The reference tools silently accept some
 * nonsensical arguments (or fail deep inside the computation); ft rejects unknown option names
 * and out-of-range values up front with a message naming the metric and the option.
 */

/** Throws if `options` is not a plain object or has keys outside `allowed`. */
export function checkOptionKeys(
  metric: string,
  options: unknown,
  allowed: readonly string[],
): asserts options is Record<string, unknown> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${metric}: options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new Error(`${metric}: unknown option '${key}' (known options: ${allowed.join(', ')})`);
    }
  }
}

/** Returns the boolean option `name`, or `fallback` when it is undefined. */
export function booleanOption(
  metric: string,
  options: Record<string, unknown>,
  name: string,
  fallback: boolean,
): boolean {
  const value = options[name];
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'boolean') {
    throw new Error(`${metric}: option '${name}' must be a boolean, got ${describe(value)}`);
  }
  return value;
}

/** Returns the integer option `name` (>= `min`), or `fallback` when it is undefined. */
export function integerOption(
  metric: string,
  options: Record<string, unknown>,
  name: string,
  fallback: number,
  min: number,
): number {
  const value = options[name];
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(
      `${metric}: option '${name}' must be an integer >= ${min}, got ${describe(value)}`,
    );
  }
  return value;
}

/** Returns the finite number option `name` (>= `min`), or `fallback` when it is undefined. */
export function numberOption(
  metric: string,
  options: Record<string, unknown>,
  name: string,
  fallback: number,
  min: number,
): number {
  const value = options[name];
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new Error(
      `${metric}: option '${name}' must be a finite number >= ${min}, got ${describe(value)}`,
    );
  }
  return value;
}

/** A short human-readable rendering of an invalid option value. */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) {
    return String(value);
  }
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

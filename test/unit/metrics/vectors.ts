/** Shared helpers for the metric vector tests (test/fixtures/vectors/*.json). */

import {readFileSync} from 'node:fs';
import {expect} from 'vitest';

/** Parses `test/fixtures/vectors/<name>`. */
export function loadVectors<T>(name: string): T {
  const url = new URL(`../../fixtures/vectors/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

/**
 * Asserts `actual` equals the upstream full-precision value up to float noise: relative 1e-9
 * (differences in the last bits of `exp`/`log` between libm implementations), exact for 0.
 */
export function expectCloseToComputed(actual: number, expected: number, label: string): void {
  const tolerance = 1e-9 * Math.max(Math.abs(actual), Math.abs(expected));
  expect(
    Math.abs(actual - expected) <= tolerance,
    `${label}: got ${actual}, upstream computed ${expected}`,
  ).toBe(true);
}

/** Asserts `|actual - expected| < tolerance` (the upstream tests' `abs(x - expected) < tol`). */
export function expectWithin(
  actual: number,
  expected: number,
  tolerance: number,
  label: string,
): void {
  expect(
    Math.abs(actual - expected) < tolerance,
    `${label}: got ${actual}, expected ${expected} within ${tolerance}`,
  ).toBe(true);
}

/** Python `unittest.assertAlmostEqual(actual, expected, places)`: `round(actual - expected, places) == 0`. */
export function expectAlmostEqualPlaces(
  actual: number,
  expected: number,
  places: number,
  label: string,
): void {
  const diff = Math.abs(actual - expected);
  expect(
    Number(diff.toFixed(places)) === 0,
    `${label}: got ${actual}, expected ${expected} to ${places} places`,
  ).toBe(true);
}

/** Asserts that `keys` only contains keys the test knows how to check, so nothing is ignored. */
export function expectOnlyKnownKeys(object: object, known: readonly string[], label: string): void {
  const unknown = Object.keys(object).filter((key) => !known.includes(key));
  expect(unknown, `${label}: unhandled fields`).toEqual([]);
}

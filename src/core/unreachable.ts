/** Exhaustiveness guard for `switch` over a union: a forgotten case is a compile error. */
export function unreachable(value: never, what = 'value'): never {
  throw new InternalError(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** A bug in ft, never a user error: the CLI prints it with a request to file an issue. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}

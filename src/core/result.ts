/** A value or the reasons there is none. User errors are values; exceptions are bugs. */
export type Result<T, E> =
  | {readonly ok: true; readonly value: T}
  | {readonly ok: false; readonly error: E};

export const ok = <T>(value: T): {readonly ok: true; readonly value: T} => ({ok: true, value});
export const fail = <E>(error: E): {readonly ok: false; readonly error: E} => ({ok: false, error});

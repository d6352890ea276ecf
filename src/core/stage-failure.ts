/**
 * Why a stage failed, as a value the reporters can show and tests can check (wireit's Failure,
 * execa's outcome flags). Data and recipe problems are UserErrors instead (exit 2).
 */
export type FailureReason =
  | 'backend-unavailable'
  | 'frozen-lockfile'
  | 'source-changed'
  | 'fetch-failed'
  | 'command-failed'
  /** A trainer failed, broke the protocol, or did not produce a model. */
  | 'trainer-failed'
  /** A remote API refused or failed a request for good (after its retries). */
  | 'backend-failed'
  /** Input that cannot be used at all (a corrupt gzip stream): exit 2 like other bad input. */
  | 'bad-input'
  | 'internal';

export class StageFailure extends Error {
  override readonly name = 'StageFailure';
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
  }
}

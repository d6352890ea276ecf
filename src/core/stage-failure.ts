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
  /** No credentials for a remote backend in the environment. */
  | 'credentials'
  /** A remote API refused or failed a request (its message and request id are shown). */
  | 'api-error'
  /** A remote training job failed or was cancelled (its error code and message are shown). */
  | 'job-failed'
  /** The cost estimate exceeds the budget, or is unknown while a budget is set. */
  | 'over-budget'
  /** A job may exist that ft cannot see yet: it creates none, and asks to run again. */
  | 'job-may-exist'
  /**
   * Not a failure: a remote job keeps running without ft (Ctrl-C, or `ft build --detach`); the
   * stage's status is `detached` and the next build reattaches.
   */
  | 'detached'
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

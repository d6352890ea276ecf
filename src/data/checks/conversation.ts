/**
 * The part of an example the statistics measure, once the format checks found it usable.
 * Chat SFT: its `messages`. Preference (DPO, SPEC.md section 2): `input.messages` followed by
 * `preferred_output`, the conversation the model is trained toward.
 */
export interface Conversation {
  readonly kind: 'chat' | 'preference';
  /** As in the file: entries that are not objects (reported by the checks) are still here. */
  readonly messages: readonly unknown[];
  /** Index of the first preferred-output message; messages.length for chat. */
  readonly outputStart: number;
}

/** A JSON object (Python's dict in the notebook's `isinstance(ex, dict)`). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

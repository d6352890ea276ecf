/**
 * Where a record came from, for messages: the file as the user names it, the line, and the
 * source it belongs to (whose `on_error` decides what a problem with it does).
 */
export interface Origin {
  readonly file: string;
  readonly line: number;
  readonly source?: string;
}

export type SplitName = 'train' | 'validation' | 'test';

/** A source record without one of the split's `by` fields. */
export interface MissingGroup {
  readonly missing: string;
  /** The field names the source record has where that path leads. */
  readonly names: readonly string[];
}

/** A record flowing through the transforms, with its origin and (after `split`) its split. */
export interface Example {
  record: Record<string, unknown>;
  readonly origin: Origin;
  /**
   * The identity of the source record it came from (identity.ts): set as it is read, before any
   * transform, and never changed by one, so a prompt edit leaves it (and the split) as it was.
   * The k-th extra record a step makes from one gets `<id>.<k>`. Written beside the split files.
   */
  id: string;
  /**
   * With `split.by`: the id of the source record's `by` values (its group), or the first of
   * those fields it lacks (with the names it has there, to suggest one); undefined without
   * `split.by`.
   */
  group?: string | MissingGroup;
  split?: SplitName;
  /**
   * The canonical JSON of `record` as UTF-8, when a step wrote the bytes directly (the template
   * splicer, for workers), so the writer does not serialize the record again; only while no
   * step changes the record.
   */
  canonicalBytes?: Uint8Array;
  /**
   * The value at a field path (split at its dots) as getPath would read it from `record`, for
   * examples that can read one without making the whole record (records/fields.ts fieldReader).
   */
  fieldAt?(parts: readonly string[]): unknown;
}

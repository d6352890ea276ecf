/** Where a record came from, for error messages: the file as the user names it, and the line. */
export interface Origin {
  readonly file: string;
  readonly line: number;
}

export type SplitName = 'train' | 'validation' | 'test';

/** A record flowing through the transforms, with its origin and (after `split`) its split. */
export interface Example {
  record: Record<string, unknown>;
  readonly origin: Origin;
  split?: SplitName;
}

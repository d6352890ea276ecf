import {error, UserError} from '../../core/diagnostic.js';
import type {NormalizedSource} from '../../recipe/normalized.js';

/** A source that cannot be read as the recipe says (a missing file, an unset auth_env): exit 2. */
export const sourceProblem = (source: NormalizedSource, message: string, hint?: string) =>
  new UserError([error('missing-file', `sources.${source.name}: ${message}`, undefined, hint)]);

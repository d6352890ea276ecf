/**
 * Where the real API departs from openapi.yaml, the emulator edits the converted schemas here
 * (after `toJsonSchema`, before ajv compiles them). Every patch is listed in
 * test/emulator/README.md too; add nothing here without a source for the real behaviour.
 *
 * PATCHES
 * 1. `FineTuningJob.status` gains `paused`. `POST /fine_tuning/jobs/{id}/pause` returns a job
 *    with `status: "paused"` (the document's own example for pauseFineTuningJob), but the status
 *    enum lists only validating_files, queued, running, succeeded, failed, cancelled
 *    (SPEC.md 1.4 / 7).
 * 2. `FineTuningJob.user_provided_suffix` (string|null) is declared: the live API returns it
 *    (SPEC.md 1.4 [obs]); the document does not list it. The schema has no
 *    `additionalProperties: false`, so this only documents the key and checks its type.
 * 3. `FineTuningJobEvent.data` also accepts null: SPEC.md 1.5 says message events carry
 *    `data: {}` or null. The emulator sends `{}`; the patch lets a recorded null through.
 * 4. `ListFilesResponse.first_id`/`last_id` accept null. The document requires strings, which an
 *    empty page cannot honestly fill; the checkpoint list declares the same keys nullable.
 *    GUESS: the live API's value on an empty page is not recorded.
 *
 * NOT patches (behaviour the emulator adds on top of a schema that allows it):
 * - unknown top-level body keys are rejected ("Unrecognized request argument supplied: x"), as
 *   the live API does, although the request schemas do not say `additionalProperties: false`;
 * - metadata limits (16 pairs, key ≤ 64, value ≤ 512 chars) are checked by hand: the `Metadata`
 *   schema only says "object of strings".
 */

type JsonObject = {[key: string]: unknown};

function at(defs: JsonObject, ...path: string[]): JsonObject {
  let node: unknown = defs;
  for (const key of path) {
    node = (node as JsonObject | undefined)?.[key];
    if (typeof node !== 'object' || node === null) {
      throw new Error(`openapi patch: ${path.join('.')} is missing from the document`);
    }
  }
  return node as JsonObject;
}

/** Applies the patches above in place; throws if the document no longer has what they edit. */
export function applyPatches(defs: JsonObject): void {
  const status = at(defs, 'FineTuningJob', 'properties', 'status');
  const values = status.enum as string[];
  if (!values.includes('paused')) status.enum = [...values, 'paused'];

  const job = at(defs, 'FineTuningJob', 'properties');
  job.user_provided_suffix = {type: ['string', 'null']};

  const data = at(defs, 'FineTuningJobEvent', 'properties', 'data');
  if (data.type === 'object') data.type = ['object', 'null'];

  const files = at(defs, 'ListFilesResponse', 'properties');
  files.first_id = {type: ['string', 'null']};
  files.last_id = {type: ['string', 'null']};
}

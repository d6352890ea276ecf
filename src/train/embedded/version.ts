/**
 * The embedded trainer's numerics version: it enters ft's stage key, so it names the results,
 * not the package. Bump it whenever the same spec and data would give different bytes (a changed
 * kernel, reduction order, initializer, schedule, tokenizer or file layout); never otherwise.
 */
export const EMBEDDED_NUMERICS_VERSION = '2';

import {readFileSync} from 'node:fs';
import {type Document, parseDocument} from 'yaml';
import type {Diagnostic, DiagnosticCode} from '../core/diagnostic.js';
import type {PathSegment} from '../core/path-syntax.js';
import {diagnosticAt} from './recipe-text.js';

/**
 * Diagnostics at recipe nodes for problems found after loading (a field no record has, a step
 * that emptied the training split): the recipe is parsed again, once, only when one is needed.
 */
export class RecipeLocator {
  readonly #path: string;
  readonly #shown: string;
  #text: {text: string; doc: Document.Parsed} | null | undefined;

  /** `path`: the recipe file; `shown`: the file as messages name it. */
  constructor(path: string, shown: string) {
    this.#path = path;
    this.#shown = shown;
  }

  /** Whether the recipe has a node at `path` (false when it cannot be read). */
  has(path: readonly PathSegment[]): boolean {
    return this.#load()?.doc.hasIn(path) ?? false;
  }

  /** A diagnostic at the node for `path` (or at its key, with `at: 'key'`). */
  diagnostic(
    severity: 'error' | 'warning',
    code: DiagnosticCode,
    path: readonly PathSegment[],
    message: string,
    options: {at?: 'key'; hint?: string} = {},
  ): Diagnostic {
    const loaded = this.#load();
    if (!loaded) {
      return {code, severity, message, ...(options.hint ? {hint: options.hint} : {})};
    }
    const source = {file: this.#shown, text: loaded.text, doc: loaded.doc, overrides: []};
    return {...diagnosticAt(source, code, path, message, options), severity};
  }

  #load(): {text: string; doc: Document.Parsed} | null {
    if (this.#text === undefined) {
      try {
        const text = readFileSync(this.#path, 'utf8');
        this.#text = {text, doc: parseDocument(text, {uniqueKeys: false})};
      } catch {
        this.#text = null; // messages then go without a location
      }
    }
    return this.#text;
  }
}

import {resolve} from 'node:path';
import {canonicalJson} from '../core/canonical-json.js';
import type {Sha256} from '../core/hash.js';
import {sourceFingerprint} from '../plan/fingerprint.js';
import type {NormalizedSource} from '../recipe/normalized.js';
import type {StageContext, StageDefinition} from './stage-definition.js';

/** The manifest a source stage stores: what the dataset stage will read and must find. */
export interface SourceManifest {
  readonly name: string;
  readonly format: 'jsonl';
  readonly files: readonly {
    readonly path: string;
    readonly sha256: Sha256;
    readonly size: number;
  }[];
}

function sourceOf(ctx: StageContext): NormalizedSource {
  const source = ctx.recipe.sources.find((s) => s.name === ctx.node.name);
  if (!source) throw new Error(`no source named ${ctx.node.name}`);
  return source;
}

async function hashSource(ctx: StageContext): Promise<SourceManifest> {
  const source = sourceOf(ctx);
  const {hash, size} = await ctx.hashFile(resolve(ctx.recipe.dir, source.path));
  return {
    name: source.name,
    format: source.format,
    files: [{path: source.path, sha256: hash, size}],
  };
}

/**
 * source:<name> reads and hashes raw bytes (through the stat cache, so an unchanged file is
 * only stat'ed). Its output is a small manifest naming each file and its hash; the dataset
 * stage reads the files and checks them against it.
 */
export const sourceStage: StageDefinition = {
  async fingerprint(ctx) {
    const manifest = await hashSource(ctx);
    return sourceFingerprint(
      sourceOf(ctx),
      Object.fromEntries(manifest.files.map((f) => [f.path, f.sha256])),
    );
  },
  async run(ctx) {
    const manifest = await hashSource(ctx);
    const artifact = await ctx.store.putBytes(`${canonicalJson(manifest)}\n`);
    const bytes = manifest.files.reduce((sum, f) => sum + f.size, 0);
    ctx.log(`hashed ${manifest.files.length} file(s), ${bytes} bytes`);
    return {outputs: {'manifest.json': artifact}, summary: {files: manifest.files.length, bytes}};
  },
};

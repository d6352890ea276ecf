import type {Artifact} from '../core/artifact-store.js';
import {canonicalJson} from '../core/canonical-json.js';
import {type Sha256, sha256} from '../core/hash.js';
import {withoutCredentials} from '../core/url-secrets.js';
import {fetchPinned} from '../data/sources/fetch-url.js';
import {inlineBytes} from '../data/sources/inline.js';
import {localFiles} from '../data/sources/local-files.js';
import {delimiterFor, type SourceFile, type SourceManifest} from '../data/sources/manifest.js';
import {
  FILE_SET_THRESHOLD,
  type FileSet,
  fileSetOf,
  sourceFingerprint,
} from '../plan/fingerprint.js';
import type {NormalizedSource} from '../recipe/normalized.js';
import type {StageContext, StageDefinition} from './stage-definition.js';

function sourceOf(ctx: StageContext): NormalizedSource {
  const source = ctx.recipe.sources.find((s) => s.name === ctx.node.name);
  if (!source) throw new Error(`no source named ${ctx.node.name}`);
  return source;
}

/**
 * What identifies a files source's bytes in its fingerprint: each file's hash or, above
 * FILE_SET_THRESHOLD files, their file set, whose list is put in the store (once) so that
 * `ft plan` can name the files that changed from one set to the next.
 */
async function filesContent(
  ctx: StageContext,
  files: readonly SourceFile[],
): Promise<{files: Record<string, Sha256>} | {file_set: FileSet; list: Artifact}> {
  if (files.length <= FILE_SET_THRESHOLD) {
    return {files: Object.fromEntries(files.map((f) => [f.path, f.sha256]))};
  }
  const {set, text} = fileSetOf(files.map((f) => [f.path, f.sha256] as const));
  const have = await ctx.store.sizeOf(set.sha256);
  const list = have !== undefined ? {hash: set.sha256, size: have} : await ctx.store.putBytes(text);
  return {file_set: set, list};
}

/**
 * source:<name> identifies the bytes of a source and makes them available: it hashes local
 * files (through the stat cache, so an unchanged file is only stat'ed), fetches a pinned URL
 * into the store once (verified against the pin; never again while the pin matches), or
 * stores inline examples. Its output is a small manifest; the dataset stage reads the files it
 * names and checks them against it. A source of more than FILE_SET_THRESHOLD files also outputs
 * its file list (files.json), the one its key holds the hash of.
 */
export const sourceStage: StageDefinition = {
  async fingerprint(ctx) {
    const source = sourceOf(ctx);
    switch (source.kind) {
      case 'files': {
        const content = await filesContent(ctx, await localFiles(ctx, source));
        return sourceFingerprint(
          source,
          'file_set' in content ? {file_set: content.file_set} : {files: content.files},
        );
      }
      case 'url':
        return sourceFingerprint(source, {});
      case 'inline':
        return sourceFingerprint(source, {examples: sha256(inlineBytes(source))});
    }
  },
  async run(ctx) {
    const source = sourceOf(ctx);
    const outputs: Record<string, Artifact> = {};
    let files: SourceFile[];
    switch (source.kind) {
      case 'files': {
        files = await localFiles(ctx, source);
        const content = await filesContent(ctx, files);
        if ('list' in content) outputs['files.json'] = content.list;
        break;
      }
      case 'url': {
        const artifact = await fetchPinned(ctx, source);
        outputs.content = artifact;
        const name = new URL(source.url).pathname;
        files = [
          {
            path: withoutCredentials(source.url),
            sha256: artifact.hash,
            size: artifact.size,
            format: source.format,
            gzip: name.toLowerCase().endsWith('.gz'),
            delimiter: delimiterFor(source, name),
            stored: true,
          },
        ];
        break;
      }
      case 'inline': {
        const artifact = await ctx.store.putBytes(inlineBytes(source));
        outputs.content = artifact;
        files = [
          {
            path: '<inline>',
            sha256: artifact.hash,
            size: artifact.size,
            format: 'jsonl',
            gzip: false,
            delimiter: ',',
            stored: true,
          },
        ];
        break;
      }
    }
    const manifest: SourceManifest = {name: source.name, on_error: source.on_error, files};
    outputs['manifest.json'] = await ctx.store.putBytes(`${canonicalJson(manifest)}\n`);
    const bytes = files.reduce((sum, f) => sum + f.size, 0);
    ctx.log(`${files.length} file(s), ${bytes} bytes`);
    return {outputs, summary: {files: files.length, bytes}};
  },
};

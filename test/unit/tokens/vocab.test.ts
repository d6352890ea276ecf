import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {ENCODINGS as SPECS} from '../../../src/tokens/encodings.js';
import {
  parseTiktokenRanks,
  readTiktokenFile,
  VocabularyIntegrityError,
  vocabularyPath,
} from '../../../src/tokens/index.js';
import {ENCODINGS, vectorsFile} from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ft-tokens-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe('vocabulary files', () => {
  it.each(ENCODINGS)('%s pins the sha256 that tiktoken pins', (encoding) => {
    const expected =
      vectorsFile.vocab_verification[`${encoding}.tiktoken`]![
        'sha256_expected_by_openai_public.py'
      ];
    expect(SPECS[encoding].sha256).toBe(expected);
    const data = readTiktokenFile(vocabularyPath(SPECS[encoding]), expected);
    const vocab = parseTiktokenRanks(data);
    expect(vocab.size).toBe(encoding === 'cl100k_base' ? 100256 : 199998);
  });

  it('refuses a file whose sha256 differs, naming both hashes', () => {
    const real = readFileSync(vocabularyPath(SPECS.cl100k_base));
    const tampered = Buffer.from(real);
    tampered[0] = tampered[0] === 0x49 ? 0x4a : 0x49; // change one base64 char of token 0
    const path = join(dir, 'cl100k_base.tiktoken');
    writeFileSync(path, tampered);
    const read = () => readTiktokenFile(path, SPECS.cl100k_base.sha256);
    expect(read).toThrow(VocabularyIntegrityError);
    expect(read).toThrow(SPECS.cl100k_base.sha256);
    expect(read).toThrow(/sha256 [0-9a-f]{64}/);
  });

  it('parses the tiktoken line format and rejects malformed lines', () => {
    const vocab = parseTiktokenRanks(Buffer.from('YQ== 0\nYg== 2\r\n\nYWI= 1\n'));
    expect(vocab.maxRank).toBe(2);
    expect(vocab.size).toBe(3);
    const token = (r: number) =>
      Buffer.from(vocab.bytes.subarray(vocab.offsets[r], vocab.offsets[r + 1])).toString();
    expect([token(0), token(1), token(2)]).toEqual(['a', 'ab', 'b']);
    for (const bad of ['YQ==\n', 'YQ== x\n', 'Y!== 0\n', 'YQ== 0\nYg== 0\n', 'YQ 0\n']) {
      expect(() => parseTiktokenRanks(Buffer.from(bad)), JSON.stringify(bad)).toThrow(
        VocabularyIntegrityError,
      );
    }
  });
});

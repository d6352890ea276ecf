import {describe, expect, it} from 'vitest';
import type {EncodingName} from '../../../src/tokens/index.js';
import {countTokens, decode, decodeBytes, encode} from '../../../src/tokens/index.js';
import {
  allowsAllSpecial,
  isSupported,
  type TokenVector,
  vectorInput,
  vectorsFile,
  wellFormed,
} from './helpers.js';

const supported = vectorsFile.vectors.filter((v) => isSupported(v.encoding));

/** tiktoken's decode_with_offsets: code-point offset where each token's text starts. */
function decodeOffsets(ids: number[], encoding: EncodingName): number[] {
  const continuation = (b: number) => b >= 0x80 && b < 0xc0;
  let textLength = 0;
  return ids.map((id) => {
    const bytes = decodeBytes([id], encoding);
    const offset = Math.max(0, textLength - (continuation(bytes[0]!) ? 1 : 0));
    for (const b of bytes) if (!continuation(b)) textLength++;
    return offset;
  });
}

const label = (v: TokenVector) =>
  `${v.encoding} ${JSON.stringify(vectorInput(v)).slice(0, 60)}${allowsAllSpecial(v) ? ' (all special)' : ''}`;

describe('tiktoken reference vectors', () => {
  it('covers every cl100k_base and o200k_base vector (only r50k_base is skipped)', () => {
    const skipped = vectorsFile.vectors.filter((v) => !isSupported(v.encoding));
    expect(skipped.every((v) => v.encoding === 'r50k_base')).toBe(true);
    expect(supported.filter((v) => v.encoding === 'cl100k_base').length).toBeGreaterThanOrEqual(89);
    expect(supported.filter((v) => v.encoding === 'o200k_base').length).toBeGreaterThanOrEqual(66);
  });

  it.each(supported.map((v) => [label(v), v] as const))('%s', (_, v) => {
    const encoding = v.encoding as EncodingName;
    const text = vectorInput(v);
    const options = allowsAllSpecial(v) ? {allowedSpecial: 'all' as const} : undefined;
    const ids = encode(text, encoding, options);

    if (v.expected_ids !== undefined) expect(ids).toEqual(v.expected_ids);
    expect(ids).toEqual(v.reference_ids);
    expect(countTokens(text, encoding, options)).toBe(ids.length);
    if (v.expected_decode_offsets !== undefined) {
      expect(decodeOffsets(ids, encoding)).toEqual(v.expected_decode_offsets);
    }
    // Round trip; lone surrogates come back as U+FFFD, which is what tiktoken encoded.
    expect(decode(ids, encoding)).toBe(wellFormed(text));
  });

  it("encodes a lone surrogate like U+FFFD (tiktoken's surrogatepass/replace round trip)", () => {
    const relation = supported.find((v) => v.expected_relation !== undefined);
    expect(relation?.expected_relation).toBe("encode('\\ud83d') == encode('\\ufffd')");
    for (const encoding of ['cl100k_base', 'o200k_base'] as const) {
      expect(encode('\ud83d', encoding)).toEqual(encode('\ufffd', encoding));
      expect(encode('a\udc4db\ud83d', encoding)).toEqual(encode('a\ufffdb\ufffd', encoding));
      expect(countTokens('x\ud800\ud800y', encoding)).toBe(
        encode('x\ufffd\ufffdy', encoding).length,
      );
    }
  });

  it('treats special-token text in allowed_special vectors as plain text by default', () => {
    for (const v of supported.filter(allowsAllSpecial)) {
      const encoding = v.encoding as EncodingName;
      const specialIds = Object.values(vectorsFile.special_tokens[encoding] ?? {});
      const ordinary = encode(vectorInput(v), encoding);
      expect(ordinary.some((id) => specialIds.includes(id))).toBe(false);
      expect(decode(ordinary, encoding)).toBe(vectorInput(v));
    }
  });
});

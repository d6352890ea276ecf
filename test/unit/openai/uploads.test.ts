import {describe, expect, it} from 'vitest';
import {uploadLimits} from '../../../src/openai/uploads.js';
import {methodMismatch} from '../../../src/train/preflight.js';

const MB = 1024 * 1024;

describe('uploadLimits', () => {
  it('defaults to the Files API 512 MB and 64 MB parts; the test variables lower them, never raise', () => {
    expect(uploadLimits({})).toEqual({filesApiBytes: 512 * MB, partBytes: 64 * MB});
    expect(
      uploadLimits({FT_OPENAI_UPLOAD_LIMIT_BYTES: '1500', FT_OPENAI_UPLOAD_PART_BYTES: '1024'}),
    ).toEqual({filesApiBytes: 1500, partBytes: 1024});
    expect(
      uploadLimits({
        FT_OPENAI_UPLOAD_LIMIT_BYTES: String(1024 * MB),
        FT_OPENAI_UPLOAD_PART_BYTES: String(100 * MB),
      }),
    ).toEqual({filesApiBytes: 512 * MB, partBytes: 64 * MB});
    for (const bad of ['0', '-1', '1.5', 'x', '']) {
      expect(
        uploadLimits({FT_OPENAI_UPLOAD_LIMIT_BYTES: bad, FT_OPENAI_UPLOAD_PART_BYTES: bad}),
      ).toEqual({filesApiBytes: 512 * MB, partBytes: 64 * MB});
    }
  });
});

describe('methodMismatch', () => {
  it('dpo needs preference pairs only; supervised chat examples only; lines are located', () => {
    expect(methodMismatch('dpo', {chat: 0, preference: 3, first_preference: 1})).toBeUndefined();
    expect(methodMismatch('supervised', {chat: 3, preference: 0, first_chat: 1})).toBeUndefined();
    expect(methodMismatch('dpo', {chat: 3, preference: 0, first_chat: 1})).toContain(
      'has none: its 3 example(s) are chat examples',
    );
    expect(
      methodMismatch('dpo', {chat: 1, preference: 5, first_chat: 4, first_preference: 1}),
    ).toContain('the first at train.jsonl line 4');
    expect(
      methodMismatch('supervised', {chat: 5, preference: 2, first_chat: 1, first_preference: 3}),
    ).toContain('2 example(s) of the training file are preference pairs');
    expect(methodMismatch('supervised', {chat: 0, preference: 2, first_preference: 1})).toContain(
      'set backend.method: dpo',
    );
  });
});

import {describe, expect, it} from 'vitest';
import {baseOf, requestUrl} from '../../../src/eval/chat.js';

describe('baseOf and requestUrl', () => {
  const join = (base: string, path: string) => requestUrl(baseOf(base), path).href;
  it('joins chat/completions onto the path and keeps the query', () => {
    expect(
      join(
        'https://r.openai.azure.com/openai/deployments/my-ft?api-version=2024-10-21',
        'chat/completions',
      ),
    ).toBe(
      'https://r.openai.azure.com/openai/deployments/my-ft/chat/completions?api-version=2024-10-21',
    );
    expect(join('https://r.openai.azure.com/openai/v1', 'chat/completions')).toBe(
      'https://r.openai.azure.com/openai/v1/chat/completions',
    );
    expect(join('http://localhost:8000/v1/', 'models/x')).toBe('http://localhost:8000/v1/models/x');
  });
});

import {describe, expect, it} from 'vitest';
import {
  isLoopback,
  isPlainHttpToAnotherHost,
  secretQueryParameters,
} from '../../../src/core/url-secrets.js';

const params = (url: string) => secretQueryParameters(new URL(url));

describe('secrets in a URL query', () => {
  it('finds tokens, keys, passwords and signed-URL credentials, as written', () => {
    expect(params('https://h/x.jsonl?token=a')).toEqual(['token']);
    expect(params('https://h/x.jsonl?v=2&API-Key=a&Access_Token=b')).toEqual([
      'API-Key',
      'Access_Token',
    ]);
    expect(params('https://h/x?sv=2020&sig=abc&se=2030')).toEqual(['sig']);
    expect(
      params('https://b.s3.amazonaws.com/x?X-Amz-Credential=c&X-Amz-Signature=s&X-Amz-Date=d'),
    ).toEqual(['X-Amz-Credential', 'X-Amz-Signature']);
    expect(params('https://h/x?github_token=a&db_password=b&key=c')).toEqual([
      'github_token',
      'db_password',
      'key',
    ]);
    expect(params('https://h/x?token=a&token=b')).toEqual(['token']);
  });

  it('leaves ordinary parameters alone', () => {
    expect(params('https://h/x.jsonl?version=3&format=jsonl&monkey=1&tokens=5&keys=a')).toEqual([]);
    expect(params('https://h/x.jsonl')).toEqual([]);
  });
});

describe('plain http', () => {
  it('counts localhost, 127.0.0.0/8 and [::1] (in any spelling the URL parser accepts) as this machine', () => {
    for (const url of [
      'http://localhost:8080/x',
      'http://LOCALHOST/x',
      'http://127.0.0.1:3000/x',
      'http://127.1/x',
      'http://127.255.0.9/x',
      'http://[::1]:99/x',
    ]) {
      expect([url, isLoopback(new URL(url))]).toEqual([url, true]);
      expect(isPlainHttpToAnotherHost(new URL(url))).toBe(false);
    }
  });

  it('counts every other host, names that merely look local included, as crossing a network', () => {
    for (const url of [
      'http://example.com/x',
      'http://10.0.0.1/x',
      'http://128.0.0.1/x',
      'http://a.localhost/x',
      'http://localhost.example.com/x',
      'http://[::2]/x',
    ]) {
      expect([url, isPlainHttpToAnotherHost(new URL(url))]).toEqual([url, true]);
    }
    expect(isPlainHttpToAnotherHost(new URL('https://example.com/x'))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { maskUrl, maskUrls, urlSecrets } from '../../src/security/maskUrl.ts';

describe('maskUrl', () => {
  it('userinfo and every query value become ***; scheme, host, port, path, keys and fragment stay', () => {
    expect(maskUrl('http://u:pw@127.0.0.1:1/v1?api-key=x&b=2#frag')).toBe('http://***@127.0.0.1:1/v1?api-key=***&b=***#frag');
    expect(maskUrl('wss://only-user@obs.lan:4455')).toBe('wss://***@obs.lan:4455');
    expect(maskUrl('https://api.example/v1?bare-secret')).toBe('https://api.example/v1?***');
    expect(maskUrl('http://127.0.0.1:8000/overlay')).toBe('http://127.0.0.1:8000/overlay');
  });

  it('finds URLs inside a line, also ones that do not parse, and leaves the rest of the text alone', () => {
    expect(maskUrls('✗ LLM (OpenAI)  http://a:b@h:1/v1?key=k not reachable (fetch failed) → fix LLM_BASE_URL')).toBe(
      '✗ LLM (OpenAI)  http://***@h:1/v1?key=*** not reachable (fetch failed) → fix LLM_BASE_URL',
    );
    expect(maskUrls('expected a URL (got "http://user:secret@[bad")')).toBe('expected a URL (got "http://***@[bad")');
    expect(maskUrls('user:pass@host without a scheme is no URL')).toBe('user:pass@host without a scheme is no URL');
  });

  it('urlSecrets lists the user, the password and the query values, decoded as well', () => {
    expect(urlSecrets('http://us%40er:p%2Fw@h/?k=v%20w&z=')).toEqual(['us%40er', 'us@er', 'p%2Fw', 'p/w', 'v w']);
    expect(urlSecrets('not a url')).toEqual([]);
  });
});

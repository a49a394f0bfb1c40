// The Electron shell's security decisions (main/policy.ts), pure; Electron itself cannot run here.
import { describe, expect, it } from 'vitest';
import { devRendererUrl, externalLink, MAX_WINDOWS, mayOpenWindow } from '../../main/policy.js';

describe('devRendererUrl', () => {
  it('loads the dev server only in an unpackaged app, on loopback http', () => {
    expect(devRendererUrl('http://localhost:5173', false)).toBe('http://localhost:5173/');
    expect(devRendererUrl('http://127.0.0.1:5173/', false)).toBe('http://127.0.0.1:5173/');
    expect(devRendererUrl('http://[::1]:5173/', false)).toBe('http://[::1]:5173/');
  });

  it.each([
    ['a packaged app, whatever the variable', 'http://localhost:5173', true],
    ['no variable', undefined, false],
    ['an empty variable', '', false],
    ['another host', 'http://evil.example:5173/', false],
    ['a host that merely starts with localhost', 'http://localhost.evil.example/', false],
    ['a LAN address', 'http://192.168.1.9:5173/', false],
    ['https elsewhere', 'https://evil.example/', false],
    ['a file', 'file:///tmp/evil.html', false],
    ['credentials in the URL', 'http://user:pw@localhost:5173/', false],
    ['javascript:', 'javascript:alert(1)', false],
    ['garbage', 'not a url', false],
  ])('ignores %s', (_what, env, packaged) => {
    expect(devRendererUrl(env, packaged)).toBeNull();
  });
});

describe('externalLink', () => {
  it('asks before handing an http(s) link to the system browser', () => {
    expect(externalLink('https://github.com/peerlab')).toEqual({ action: 'ask', url: 'https://github.com/peerlab' });
    expect(externalLink('http://example.org/a b')).toEqual({ action: 'ask', url: 'http://example.org/a%20b' });
  });

  it.each([
    ['file:', 'file:///etc/passwd', /file: links are not opened/],
    ['a custom scheme that launches a program', 'ms-msdt:/id PCWDiagnostic', /ms-msdt: links are not opened/],
    ['javascript:', 'javascript:alert(1)', /javascript: links/],
    ['data:', 'data:text/html,<script>1</script>', /data: links/],
    ['credentials', 'https://user:secret@example.org/', /credentials/],
    ['an overlong URL', `https://example.org/${'a'.repeat(3000)}`, /3020 characters/],
    ['not a URL', '::::', /not a URL/],
  ])('refuses %s', (_what, raw, reason) => {
    const link = externalLink(raw);
    expect(link.action).toBe('refuse');
    expect((link as { reason: string }).reason).toMatch(reason);
  });
});

describe('mayOpenWindow', () => {
  it(`allows at most ${MAX_WINDOWS} windows`, () => {
    expect(mayOpenWindow(0)).toBe(true);
    expect(mayOpenWindow(MAX_WINDOWS - 1)).toBe(true);
    expect(mayOpenWindow(MAX_WINDOWS)).toBe(false);
    expect(mayOpenWindow(MAX_WINDOWS + 5)).toBe(false);
  });
});

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettingsStore } from '../../src/config/settings.ts';
import { silentLogger } from '../../src/log.ts';
import { json, startHarness, tempDir, type Harness } from './harness.ts';

let h: Harness;
let base: string;
beforeAll(async () => {
  h = await startHarness();
  base = h.server.url;
});
afterAll(() => h.close());

const settingsFile = () => path.join(h.dataDir, 'settings.json');

describe('server routes', () => {
  it('GET / names the app', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.json()).toEqual({ ok: true, name: 'pickle' });
  });

  it('GET /health lists services and the extra fields; ok turns false when one is down', async () => {
    h.status.set('llm', 'up', 'phi3.5 ready');
    h.status.set('tts', 'disabled', 'no DEEPGRAM_API_KEY', { fix: 'set DEEPGRAM_API_KEY in .env' });
    let body = (await (await fetch(`${base}/health`)).json()) as Record<string, unknown>;
    expect(body['ok']).toBe(true);
    expect(body['mode']).toBe('test');
    expect(body['services']).toEqual([
      { service: 'llm', state: 'up', detail: 'phi3.5 ready', since: expect.any(Number) },
      {
        service: 'tts',
        state: 'disabled',
        detail: 'no DEEPGRAM_API_KEY',
        fix: 'set DEEPGRAM_API_KEY in .env',
        since: expect.any(Number),
      },
    ]);
    h.status.set('llm', 'down', 'ollama unreachable', { lastError: 'fetch failed' });
    body = (await (await fetch(`${base}/health`)).json()) as Record<string, unknown>;
    expect(body['ok']).toBe(false);
    expect((body['services'] as { lastError?: string }[])[0]?.lastError).toBe('fetch failed');
  });

  it('settings: GET all, PUT voice and persona round-trip, persisted and read by a new store', async () => {
    expect(await (await fetch(`${base}/api/settings`)).json()).toEqual({
      voice: { model: 'aura-asteria-en', speed: 1 },
      persona: { name: 'default' },
      senses: { ears: true, eyes: true },
    });

    let res = await fetch(`${base}/api/settings/voice`, { method: 'PUT', ...json({ speed: 1.5, model: 'aura-2-thalia-en' }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ model: 'aura-2-thalia-en', speed: 1.5 });

    res = await fetch(`${base}/api/settings/persona`, { method: 'PUT', ...json({ name: 'gremlin', cooldownSec: 12 }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: 'gremlin', cooldownSec: 12 });
    expect(await (await fetch(`${base}/api/settings/persona`)).json()).toEqual({ name: 'gremlin', cooldownSec: 12 });

    const onDisk = JSON.parse(fs.readFileSync(settingsFile(), 'utf8'));
    expect(onDisk).toEqual({ voice: { model: 'aura-2-thalia-en', speed: 1.5 }, persona: { name: 'gremlin', cooldownSec: 12 }, senses: { ears: true, eyes: true } });
    expect(createSettingsStore({ dataDir: h.dataDir, log: silentLogger() }).get()).toEqual(onDisk);

    // null clears an override
    res = await fetch(`${base}/api/settings/persona`, { method: 'PUT', ...json({ cooldownSec: null }) });
    expect(await res.json()).toEqual({ name: 'gremlin' });
  });

  it.each([
    ['voice', { speed: 7 }, ['speed']],
    ['voice', { model: 'x y' }, ['model']],
    ['voice', { speed: '1' , volume: 3 }, ['speed', 'volume']],
    ['persona', { name: 'nobody' }, ['name']],
    ['persona', { name: '../../etc/passwd' }, ['name']],
    ['persona', { spontaneousRate: 1.5 }, ['spontaneousRate']],
    ['persona', { replyInChat: 'yes' }, ['replyInChat']],
    ['persona', [1, 2], ['']],
    ['senses', { ears: 'no' }, ['ears']],
    ['senses', { ears: false, microphone: false }, ['microphone']],
  ])('bad PUT %s %j → 400 with fields %j, file unchanged', async (section, body, fieldKeys) => {
    const before = fs.readFileSync(settingsFile());
    const res = await fetch(`${base}/api/settings/${section}`, { method: 'PUT', ...json(body) });
    expect(res.status).toBe(400);
    const out = (await res.json()) as { error: string; fields: Record<string, string> };
    expect(out.error).toBe('invalid settings');
    expect(Object.keys(out.fields).sort()).toEqual(fieldKeys);
    expect(fs.readFileSync(settingsFile()).equals(before)).toBe(true);
  });

  it('PUT without a JSON content type is a 400, not a silent no-op', async () => {
    const res = await fetch(`${base}/api/settings/voice`, { method: 'PUT', body: 'speed=2' });
    expect(res.status).toBe(400);
  });

  it('malformed JSON → 400 JSON; oversized body → 413 JSON; unknown route → 404 JSON', async () => {
    let res = await fetch(`${base}/api/settings/voice`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"speed": ',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ error: 'malformed JSON' });

    res = await fetch(`${base}/api/chat`, { method: 'POST', ...json({ text: 'x'.repeat(20_000) }) });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);

    for (const [method, p] of [
      ['GET', '/nope'],
      ['POST', '/api/control/explode'],
      ['GET', '/overlay/missing.js'],
    ] as const) {
      res = await fetch(`${base}${p}`, { method });
      expect(res.status, `${method} ${p}`).toBe(404);
      expect(await res.json()).toEqual({ error: 'not found' });
    }
  });

  it('POST /api/chat validates and hands the message on (default user "streamer")', async () => {
    let res = await fetch(`${base}/api/chat`, { method: 'POST', ...json({ text: '  hi pickle  ' }) });
    expect(res.status).toBe(202);
    res = await fetch(`${base}/api/chat`, { method: 'POST', ...json({ user: 'viewer_1', text: 'what?' }) });
    expect(res.status).toBe(202);
    for (const bad of [{ text: '' }, { text: 'x'.repeat(501) }, { user: 'a b', text: 'x' }, {}]) {
      res = await fetch(`${base}/api/chat`, { method: 'POST', ...json(bad) });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect(h.chats).toEqual([
      { user: 'streamer', text: 'hi pickle' },
      { user: 'viewer_1', text: 'what?' },
    ]);
  });

  it('POST /api/control/{skip,mute,unmute} → 202 and onControl', async () => {
    for (const c of ['skip', 'mute', 'unmute']) {
      const res = await fetch(`${base}/api/control/${c}`, { method: 'POST' });
      expect(res.status).toBe(202);
    }
    expect(h.controls).toEqual(['skip', 'mute', 'unmute']);
  });

  it('/overlay serves the page with a CSP, and its assets', async () => {
    const res = await fetch(`${base}/overlay`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`ws://127.0.0.1:${h.server.port}`);
    const html = await res.text();
    expect(html).toContain('/overlay/overlay.js');
    // No inline script or style: everything the page runs comes from a src/href, but the import
    // map (a browser takes one only inline), which the CSP allows by its hash and nothing else.
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(inline.map((m) => m[1]!.trim())).toEqual(['type="importmap"']);
    const hash = createHash('sha256').update(inline[0]![2]!, 'utf8').digest('base64');
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(csp).not.toContain('unsafe-inline');
    expect(html).not.toMatch(/<style|\sstyle=/);

    for (const [p, type] of [
      ['/overlay/overlay.js', /javascript/],
      ['/overlay/overlay.css', /text\/css/],
      ['/socket.io/socket.io.js', /javascript/],
    ] as const) {
      const r = await fetch(`${base}${p}`);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('content-type'), p).toMatch(type);
    }
  });

  it('a server on a fresh dir with a corrupt settings file starts with defaults', async () => {
    const d = tempDir();
    fs.writeFileSync(path.join(d, 'settings.json'), 'not json');
    const other = await startHarness({}, d);
    try {
      expect(other.settings.warning).toMatch(/moved it to .*settings\.json\.corrupt-/);
      expect(await (await fetch(`${other.server.url}/api/settings/voice`)).json()).toEqual({
        model: 'aura-asteria-en',
        speed: 1,
      });
      expect(fs.readdirSync(d).some((f) => f.startsWith('settings.json.corrupt-'))).toBe(true);
    } finally {
      await other.close();
    }
  });
});

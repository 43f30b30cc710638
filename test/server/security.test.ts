import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { createServer } from '../../src/server/server.ts';
import { json, OVERLAY_DIR, rawRequest, startHarness, type Harness } from './harness.ts';

describe('write protection on loopback', () => {
  let h: Harness;
  let file: string;
  beforeAll(async () => {
    h = await startHarness();
    h.settings.update({ voice: { speed: 1.1 } });
    file = path.join(h.dataDir, 'settings.json');
  });
  afterAll(() => h.close());

  it.each([
    ['foreign Origin', { origin: 'http://evil.example' }],
    ['same host, other port', { origin: 'http://localhost:1' }],
    ['https variant of a foreign page', { origin: 'https://evil.example' }],
    ['opaque origin', { origin: 'null' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
  ])('%s → 403 and nothing changed', async (_name, headers) => {
    const before = fs.readFileSync(file);
    const res = await fetch(`${h.server.url}/api/settings/voice`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ speed: 2 }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'forbidden' });
    const chat = await fetch(`${h.server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ text: 'hi' }) });
    expect(chat.status).toBe(403);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(h.settings.get().voice.speed).toBe(1.1);
    expect(h.chats).toEqual([]);
  });

  it('our own origin (any of our host names) may write', async () => {
    for (const origin of [`http://127.0.0.1:${h.server.port}`, `http://localhost:${h.server.port}`]) {
      const res = await fetch(`${h.server.url}/api/control/skip`, { method: 'POST', headers: { origin, 'sec-fetch-site': 'same-origin' } });
      expect(res.status, origin).toBe(202);
    }
    expect(h.controls).toEqual(['skip', 'skip']);
  });

  it('a foreign Host header (DNS rebinding) is refused for reads and writes', async () => {
    for (const host of ['evil.example', `evil.example:${h.server.port}`, `127.0.0.1:${h.server.port + 1}`]) {
      const get = await rawRequest(`${h.server.url}/api/settings`, { headers: { host } });
      expect(get.status, host).toBe(403);
      const put = await rawRequest(`${h.server.url}/api/settings/voice`, {
        method: 'PUT',
        headers: { host, 'content-type': 'application/json' },
        body: JSON.stringify({ speed: 2 }),
      });
      expect(put.status, host).toBe(403);
      expect(put.body).toMatchObject({ error: 'forbidden' });
    }
    expect(h.settings.get().voice.speed).toBe(1.1);
    const ok = await rawRequest(`${h.server.url}/api/settings`, { headers: { host: `localhost:${h.server.port}` } });
    expect(ok.status).toBe(200);
  });

  it('no Origin (curl, the replay tool) may write on loopback without a token', async () => {
    const res = await rawRequest(`${h.server.url}/api/settings/voice`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ speed: 1.2 }),
    });
    expect(res.status).toBe(200);
    expect(h.settings.get().voice.speed).toBe(1.2);
  });
});

describe('token mode', () => {
  const TOKEN = 'test-token-0123456789abcdef';
  let h: Harness;
  beforeAll(async () => {
    // Bound to loopback, but requireToken makes it behave as a LAN-facing server would.
    h = await startHarness({ requireToken: true, accessToken: TOKEN });
  });
  afterAll(() => h.close());

  it('refuses to start without a token when not on loopback (or when forced)', async () => {
    const base = {
      port: 0,
      log: silentLogger(),
      status: h.status,
      settings: h.settings,
      personas: () => [],
      onChat: () => {},
      onControl: () => {},
      health: () => ({}),
      overlayDir: OVERLAY_DIR,
    };
    await expect(createServer({ ...base, host: '0.0.0.0' })).rejects.toThrow(/access token is required/);
    await expect(createServer({ ...base, host: '127.0.0.1', requireToken: true })).rejects.toThrow(/access token/);
  });

  it('writes need the token (Bearer or ?token=); so do reads', async () => {
    expect(h.server.tokenMode).toBe(true);
    const url = `${h.server.url}/api/settings/voice`;
    const put = (init: RequestInit, u = url) => fetch(u, { method: 'PUT', ...json({ speed: 0.8 }), ...init });

    let res = await put({ headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(401);
    res = await put({ headers: { 'content-type': 'application/json', authorization: 'Bearer wrong-token' } });
    expect(res.status).toBe(401);
    res = await put({ headers: { 'content-type': 'application/json' } }, `${url}?token=wrong`);
    expect(res.status).toBe(401);
    const control = await fetch(`${h.server.url}/api/control/mute`, { method: 'POST' });
    expect(control.status).toBe(401);
    expect(h.controls).toEqual([]);
    expect(h.settings.get().voice.speed).toBe(1);

    res = await put({ headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    res = await fetch(`${h.server.url}/api/control/mute?token=${TOKEN}`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(h.controls).toEqual(['mute']);
    expect(h.settings.get().voice.speed).toBe(0.8);

    expect((await fetch(`${h.server.url}/api/settings`)).status).toBe(401);
    expect((await fetch(`${h.server.url}/api/settings`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('the token does not excuse a foreign origin', async () => {
    const res = await fetch(`${h.server.url}/api/control/skip`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' },
    });
    expect(res.status).toBe(403);
  });
});

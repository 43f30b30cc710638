import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { startHarness, type Harness } from './harness.ts';

const clients: Socket[] = [];
function connect(url: string, opts: Parameters<typeof ioClient>[1] = {}): Socket {
  const s = ioClient(url, { reconnection: false, forceNew: true, timeout: 5000, ...opts });
  clients.push(s);
  return s;
}

function outcome(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    s.once('connect', () => resolve('connected'));
    s.once('connect_error', (err) => resolve(`error: ${err.message}`));
  });
}

function next<T>(s: Socket, event: string): Promise<T> {
  return new Promise((resolve) => s.once(event, (v: T) => resolve(v)));
}

describe('socket.io', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await h.close();
  });

  it.each([['websocket'], ['polling']])('/avatar (%s) receives what the server emits', async (transport) => {
    const s = connect(`${h.server.url}/avatar`, { transports: [transport] });
    expect(await outcome(s)).toBe('connected');
    const got = next<{ text: string; emotion: string }>(s, 'caption');
    h.server.avatar.emit('caption', { text: 'hello chat', emotion: 'happy' });
    expect(await got).toEqual({ text: 'hello chat', emotion: 'happy' });
    s.close();
  });

  it('/panel gets the current status list and settings on connect, then live changes', async () => {
    h.status.set('llm', 'up', 'ready');
    const s = connect(`${h.server.url}/panel`, { transports: ['websocket'] });
    const status = next<unknown[]>(s, 'status');
    const settings = next<unknown>(s, 'settings');
    expect(await outcome(s)).toBe('connected');
    expect(await status).toEqual([expect.objectContaining({ service: 'llm', state: 'up' })]);
    expect(await settings).toEqual(h.settings.get());

    const liveStatus = next<{ service: string }[]>(s, 'status');
    h.status.set('tts', 'down', 'deepgram 401');
    expect((await liveStatus).map((x) => x.service)).toEqual(['llm', 'tts']);
    const liveSettings = next<{ voice: { speed: number } }>(s, 'settings');
    h.settings.update({ voice: { speed: 1.7 } });
    expect((await liveSettings).voice.speed).toBe(1.7);
    s.close();
  });

  it.each([['websocket'], ['polling']])('refuses a cross-origin connection (%s)', async (transport) => {
    const s = connect(`${h.server.url}/avatar`, {
      transports: [transport],
      extraHeaders: { origin: 'http://evil.example' },
    });
    expect(await outcome(s)).toMatch(/^error/);
    const ok = connect(`${h.server.url}/avatar`, {
      transports: [transport],
      extraHeaders: { origin: `http://localhost:${h.server.port}` },
    });
    expect(await outcome(ok)).toBe('connected');
    ok.close();
  });
});

describe('socket.io in token mode', () => {
  const TOKEN = 'sock-token-0123456789';
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ requireToken: true, accessToken: TOKEN });
  });
  afterAll(() => h.close());

  it('/panel needs the token; so does /avatar when no overlay key is set', async () => {
    const noToken = connect(`${h.server.url}/panel`, { transports: ['websocket'] });
    expect(await outcome(noToken)).toBe('error: unauthorized');
    const wrong = connect(`${h.server.url}/panel`, { transports: ['websocket'], auth: { token: 'nope' } });
    expect(await outcome(wrong)).toBe('error: unauthorized');
    const good = connect(`${h.server.url}/panel`, { transports: ['websocket'], auth: { token: TOKEN } });
    expect(await outcome(good)).toBe('connected');
    const viaQuery = connect(`${h.server.url}/panel`, { transports: ['websocket'], query: { token: TOKEN } });
    expect(await outcome(viaQuery)).toBe('connected');
    const anonymous = connect(`${h.server.url}/avatar`, { transports: ['websocket'] });
    expect(await outcome(anonymous)).toBe('error: unauthorized');
    const avatar = connect(`${h.server.url}/avatar`, { transports: ['websocket'], auth: { token: TOKEN } });
    expect(await outcome(avatar)).toBe('connected');
    for (const c of [good, viaQuery, avatar]) c.close();
  });
});

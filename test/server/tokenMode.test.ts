/**
 * Token mode (Pickle reachable from the LAN): every route and namespace but the overlay needs the
 * access token, the overlay's socket its own key; frame headers on every page but the overlay;
 * sockets capped per address and namespace. A real server, real HTTP and socket.io clients.
 */
import express from 'express';
import { fileURLToPath } from 'node:url';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadPersona } from '../../src/config/persona.ts';
import { memoryRouter } from '../../src/memory/api.ts';
import { screensRouter } from '../../src/screens/index.ts';
import { MAX_SOCKETS_PER_ADDRESS } from '../../src/server/access.ts';
import { OVERLAY_DIR, startHarness, type Harness } from './harness.ts';

const TOKEN = 'lan-token-0123456789abcdef';
const KEY = 'overlay-key-0123456789abcdef';
const PERSONAS = fileURLToPath(new URL('../../personas/', import.meta.url));

function routes(): express.Router {
  const all = express.Router();
  const persona = loadPersona(PERSONAS, 'default');
  all.use(screensRouter({ overlayDir: OVERLAY_DIR, personasDir: PERSONAS, persona: () => persona }));
  all.use(
    '/api',
    memoryRouter({
      enabled: true,
      unavailable: () => undefined,
      search: () => Promise.resolve({ total: 1, memories: [{ id: 'm1', text: 'every viewer\'s chat is in here' }] }),
      remove: () => Promise.resolve('deleted' as const),
      forgetViewer: () => Promise.resolve({ deleted: 0, queued: false }),
    }),
  );
  return all;
}

const clients: Socket[] = [];
function connect(url: string, opts: Parameters<typeof ioClient>[1] = {}): Socket {
  const s = ioClient(url, { reconnection: false, forceNew: true, timeout: 5000, transports: ['websocket'], ...opts });
  clients.push(s);
  return s;
}
const outcome = (s: Socket): Promise<string> =>
  new Promise((resolve) => {
    s.once('connect', () => resolve('connected'));
    s.once('connect_error', (err) => resolve(`error: ${err.message}`));
  });
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

/** Every read route Pickle serves beyond the overlay (the panel's and inspector's data included). */
const PROTECTED_READS = ['/health', '/api/settings', '/api/personas', '/api/memory', '/panel', '/inspector', '/no-such-page'];
const PUBLIC_READS = ['/', '/overlay', '/overlay/overlay.js', '/overlay/overlay.css', '/socket.io/socket.io.js'];

describe('token mode: who may read and write', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ requireToken: true, accessToken: TOKEN, overlayKey: KEY, routes: routes() });
    h.server.io.of('/inspector'); // as the screens add it
  });
  afterAll(() => h.close());

  it('reads of the API, /health, /panel and /inspector need the token; the overlay does not', async () => {
    for (const path of PROTECTED_READS) {
      const none = await fetch(`${h.server.url}${path}`, { redirect: 'manual' });
      expect(none.status, `${path} without token`).toBe(401);
      expect(await none.text()).not.toContain('every viewer');
      expect((await fetch(`${h.server.url}${path}`, { headers: { authorization: 'Bearer wrong' } })).status, `${path} wrong token`).toBe(401);
      const ok = await fetch(`${h.server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status, `${path} with token`).toBe(path === '/no-such-page' ? 404 : 200);
    }
    for (const path of PUBLIC_READS) expect((await fetch(`${h.server.url}${path}`)).status, path).toBe(200);
    // The overlay key opens the overlay's socket, nothing else.
    expect((await fetch(`${h.server.url}/api/memory`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(401);
  });

  it('writes need the token', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${h.server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ user: 'x', text: 'hi' }) });
    expect((await post({})).status).toBe(401);
    expect((await fetch(`${h.server.url}/api/memory/viewer/bob`, { method: 'DELETE' })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${TOKEN}` })).status).toBe(202);
    expect((await fetch(`${h.server.url}/api/memory/viewer/bob`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('a page opened with ?token= sets an HttpOnly, SameSite=Strict cookie that reopens the page (only the page)', async () => {
    const first = await fetch(`${h.server.url}/panel?token=${TOKEN}`);
    expect(first.status).toBe(200);
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = setCookie.split(';')[0]!;
    expect((await fetch(`${h.server.url}/panel`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${h.server.url}/api/memory`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(`${h.server.url}/panel`, { headers: { cookie: 'pickle_page=forged' } })).status).toBe(401);
  });

  it('/panel and /inspector sockets need the token; /avatar needs the overlay key (or the token)', async () => {
    for (const ns of ['/panel', '/inspector', '/']) {
      expect(await outcome(connect(`${h.server.url}${ns}`)), ns).toBe('error: unauthorized');
      expect(await outcome(connect(`${h.server.url}${ns}`, { auth: { key: KEY } })), `${ns} with the overlay key`).toBe('error: unauthorized');
      expect(await outcome(connect(`${h.server.url}${ns}`, { auth: { token: TOKEN } })), ns).toBe('connected');
    }
    expect(await outcome(connect(`${h.server.url}/avatar`))).toBe('error: unauthorized');
    expect(await outcome(connect(`${h.server.url}/avatar`, { auth: { key: 'wrong' } }))).toBe('error: unauthorized');
    expect(await outcome(connect(`${h.server.url}/avatar`, { auth: { key: KEY } }))).toBe('connected');
    expect(await outcome(connect(`${h.server.url}/avatar`, { query: { key: KEY } }))).toBe('connected');
    expect(await outcome(connect(`${h.server.url}/avatar`, { auth: { token: TOKEN } }))).toBe('connected');
  });
});

describe('frames and socket caps (any bind)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ routes: routes() });
  });
  afterAll(() => h.close());

  it("every page but the overlay refuses to be framed (X-Frame-Options: DENY, frame-ancestors 'none')", async () => {
    for (const path of ['/panel', '/inspector', '/health', '/api/settings', '/api/memory', '/']) {
      const res = await fetch(`${h.server.url}${path}`);
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('content-security-policy'), path).toContain("default-src 'self'");
    }
    for (const path of ['/overlay', '/overlay/overlay.js']) {
      const res = await fetch(`${h.server.url}${path}`);
      expect(res.headers.get('x-frame-options'), path).toBeNull();
      expect(res.headers.get('content-security-policy'), path).not.toContain('frame-ancestors');
    }
  });

  it(`an address holds at most ${MAX_SOCKETS_PER_ADDRESS} sockets per namespace; one more is refused until one closes`, async () => {
    const open: Socket[] = [];
    for (let i = 0; i < MAX_SOCKETS_PER_ADDRESS; i++) {
      const s = connect(`${h.server.url}/panel`);
      expect(await outcome(s)).toBe('connected');
      open.push(s);
    }
    expect(await outcome(connect(`${h.server.url}/panel`))).toBe('error: too many connections');
    // Another namespace has its own count.
    expect(await outcome(connect(`${h.server.url}/avatar`))).toBe('connected');
    open[0]!.close();
    await new Promise((r) => setTimeout(r, 100));
    const again = connect(`${h.server.url}/panel`);
    let result = await outcome(again);
    for (let i = 0; result !== 'connected' && i < 20; i++) {
      await new Promise((r) => setTimeout(r, 100));
      result = await outcome(connect(`${h.server.url}/panel`));
    }
    expect(result).toBe('connected');
  });
});

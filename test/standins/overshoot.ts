/**
 * Overshoot stand-in: the CDN that serves its browser SDK, and its API, on 127.0.0.1.
 *
 * The real SDK (`RealtimeVision`) opens a camera with getUserMedia, creates a stream with
 * `POST {apiUrl}/streams` (Bearer key; 401 for a bad key), sends the video over WebRTC and
 * gets results on `WS {apiUrl}/ws/streams/{id}` after sending `{"api_key"}` (close 1008 for a
 * bad key). Nothing here can be a WebRTC peer, so the SDK served here keeps the real SDK's
 * surface (constructor config, start/stop/getMediaStream, onResult/onError, error names) and
 * the API's auth and result channel, but posts a tiny colour sample of each clip instead of
 * streaming video. The "model" describes the dominant colour, as the Ollama stand-in does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface OvershootStandin {
  /** e.g. http://127.0.0.1:1234 — the API base (OVERSHOOT_API_URL). */
  readonly url: string;
  /** The SDK module URL (OVERSHOOT_SDK_URL). */
  readonly sdkUrl: string;
  /** Keys the API accepts. */
  apiKeys: string[];
  readonly streams: Array<{ id: string; prompt: string; processing: unknown; authorization: string }>;
  readonly results: string[];
  /** The SDK was fetched this many times. */
  sdkLoads: number;
  close(): Promise<void>;
}

const COLOURS: Array<[string, number, number, number]> = [
  ['red', 220, 30, 30],
  ['green', 30, 200, 30],
  ['blue', 30, 30, 220],
  ['yellow', 230, 220, 40],
  ['white', 245, 245, 245],
  ['black', 10, 10, 10],
  ['grey', 128, 128, 128],
];

function describe(c: { r: number; g: number; b: number }): string {
  const name = COLOURS.reduce((best, k) =>
    (k[1] - c.r) ** 2 + (k[2] - c.g) ** 2 + (k[3] - c.b) ** 2 < (best[1] - c.r) ** 2 + (best[2] - c.g) ** 2 + (best[3] - c.b) ** 2 ? k : best,
  )[0];
  return `The view is filled by a plain ${name} surface.`;
}

/** The browser SDK as served by the CDN: an ES module with the real SDK's public surface. */
const SDK = String.raw`
class ApiError extends Error { constructor(m, status) { super(m); this.name = 'ApiError'; this.status = status; } }
export class UnauthorizedError extends ApiError { constructor(m) { super(m, 401); this.name = 'UnauthorizedError'; } }
export class NetworkError extends Error { constructor(m) { super(m); this.name = 'NetworkError'; } }
export class ValidationError extends Error { constructor(m) { super(m); this.name = 'ValidationError'; } }

export class RealtimeVision {
  constructor(config) {
    if (!config || typeof config.apiKey !== 'string' || !config.apiKey) throw new ValidationError('apiKey is required and must be a string');
    if (typeof config.prompt !== 'string' || !config.prompt) throw new ValidationError('prompt is required and must be a string');
    if (typeof config.onResult !== 'function') throw new ValidationError('onResult is required');
    const src = config.source || { type: 'camera', cameraFacing: 'environment' };
    if (src.type === 'camera' && src.cameraFacing !== 'user' && src.cameraFacing !== 'environment') throw new ValidationError('cameraFacing must be "user" or "environment"');
    this.config = { apiUrl: 'https://api.overshoot.ai', ...config, source: src };
    this.running = false;
  }
  async request(path, body) {
    let res;
    try {
      res = await fetch(this.config.apiUrl + path, {
        method: 'POST', credentials: 'include',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + this.config.apiKey },
        body: JSON.stringify(body),
      });
    } catch (e) { throw new NetworkError('Network error: ' + e.message); }
    if (res.status === 401) throw new UnauthorizedError('Invalid or revoked API key');
    if (!res.ok) throw new ApiError('HTTP ' + res.status, res.status);
    return res.json();
  }
  async start() {
    if (this.running) throw new Error('Vision stream already running');
    this.mediaStream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: this.config.source.cameraFacing } }, audio: false });
    const track = this.mediaStream.getVideoTracks()[0];
    const processing = { sampling_ratio: 0.1, fps: track.getSettings().frameRate || 30, clip_length_seconds: 1, delay_seconds: 1, ...this.config.processing };
    const created = await this.request('/streams', {
      source: { type: 'webrtc', sdp: 'v=0 (stand-in: samples are posted instead of a WebRTC track)' },
      processing,
      inference: { prompt: this.config.prompt, backend: 'overshoot', model: this.config.model || 'Qwen/Qwen3-VL-30B-A3B-Instruct' },
    });
    this.streamId = created.stream_id;
    this.ws = new WebSocket(this.config.apiUrl.replace(/^http/, 'ws') + '/ws/streams/' + this.streamId);
    this.ws.onopen = () => this.ws.send(JSON.stringify({ api_key: this.config.apiKey }));
    this.ws.onmessage = (m) => this.config.onResult(JSON.parse(m.data));
    this.ws.onclose = (e) => {
      if (!this.running) return;
      const err = e.code === 1008 ? new UnauthorizedError('WebSocket authentication failed: Invalid or revoked API key') : new Error('WebSocket closed unexpectedly');
      this.stop().then(() => this.config.onError && this.config.onError(err));
    };
    this.video = document.createElement('video');
    this.video.muted = true;
    this.video.srcObject = this.mediaStream;
    await this.video.play();
    const canvas = document.createElement('canvas');
    canvas.width = 8; canvas.height = 6;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    this.timer = setInterval(() => {
      ctx.drawImage(this.video, 0, 0, 8, 6);
      const d = ctx.getImageData(0, 0, 8, 6).data;
      let r = 0, g = 0, b = 0;
      for (let i = 0; i < d.length; i += 4) { r += d[i]; g += d[i + 1]; b += d[i + 2]; }
      const n = d.length / 4;
      this.request('/streams/' + this.streamId + '/samples', { r: r / n, g: g / n, b: b / n }).catch((e) => this.config.onError && this.config.onError(e));
    }, Math.max(0.1, processing.delay_seconds) * 1000);
    this.running = true;
  }
  async stop() {
    this.running = false;
    clearInterval(this.timer);
    if (this.ws) this.ws.close();
    if (this.mediaStream) this.mediaStream.getTracks().forEach((t) => t.stop());
    this.ws = null; this.mediaStream = null;
  }
  getMediaStream() { return this.mediaStream || null; }
  getStreamId() { return this.streamId || null; }
  isActive() { return this.running; }
}
`;

export async function startOvershootStandin(opts: { apiKeys?: string[] } = {}): Promise<OvershootStandin> {
  const streams: OvershootStandin['streams'] = [];
  const results: string[] = [];
  const sockets = new Map<string, Set<WebSocket>>();
  let n = 0;

  const cors = (req: http.IncomingMessage, res: http.ServerResponse) => {
    // credentials: 'include' needs the origin echoed, not '*'.
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH, OPTIONS');
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const readJson = async (req: http.IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  const authorised = (req: http.IncomingMessage) => s.apiKeys.includes((req.headers.authorization ?? '').replace(/^Bearer\s+/i, ''));

  const server = http.createServer((req, res) => {
    void (async () => {
      cors(req, res);
      const path = (req.url ?? '/').split('?')[0]!;
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
      if (req.method === 'GET' && path === '/sdk/index.mjs') {
        s.sdkLoads++;
        res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
        return void res.end(SDK);
      }
      if (req.method === 'POST' && path === '/streams') {
        const body = await readJson(req);
        if (!authorised(req)) return json(res, 401, { error: 'unauthorized', message: 'Invalid or revoked API key' });
        const id = `stream-${++n}`;
        const inference = (body.inference ?? {}) as { prompt?: string };
        streams.push({ id, prompt: String(inference.prompt ?? ''), processing: body.processing, authorization: String(req.headers.authorization) });
        return json(res, 200, { stream_id: id, webrtc: { type: 'answer', sdp: 'v=0' }, lease: { ttl_seconds: 30 } });
      }
      const sample = /^\/streams\/([^/]+)\/samples$/.exec(path);
      if (req.method === 'POST' && sample) {
        const body = (await readJson(req)) as { r?: number; g?: number; b?: number };
        if (!authorised(req)) return json(res, 401, { error: 'unauthorized' });
        const id = sample[1]!;
        const stream = streams.find((x) => x.id === id);
        if (!stream) return json(res, 404, { error: 'not_found' });
        const result = describe({ r: body.r ?? 0, g: body.g ?? 0, b: body.b ?? 0 });
        results.push(result);
        const msg = JSON.stringify({ id: `r${results.length}`, stream_id: id, mode: 'clip', model_backend: 'overshoot', model_name: 'stand-in', prompt: stream.prompt, result, inference_latency_ms: 5, total_latency_ms: 9, ok: true, error: null });
        for (const ws of sockets.get(id) ?? []) ws.send(msg);
        return json(res, 200, { status: 'ok' });
      }
      json(res, 404, { error: 'not_found' });
    })().catch(() => res.destroy());
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const m = /^\/ws\/streams\/([^/?]+)/.exec(req.url ?? '');
    if (!m) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const id = m[1]!;
      ws.once('message', (data) => {
        let key = '';
        try {
          const sent = (JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : '') as { api_key?: unknown }).api_key;
          key = typeof sent === 'string' ? sent : '';
        } catch {
          /* not JSON: treated as no key */
        }
        if (!s.apiKeys.includes(key)) return ws.close(1008, 'invalid api key');
        const set = sockets.get(id) ?? new Set<WebSocket>();
        set.add(ws);
        sockets.set(id, set);
        ws.on('close', () => set.delete(ws));
      });
    });
  });

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const s: OvershootStandin = {
    url: `http://127.0.0.1:${port}`,
    sdkUrl: `http://127.0.0.1:${port}/sdk/index.mjs`,
    apiKeys: opts.apiKeys ?? ['ovs-test-key-123456'],
    streams,
    results,
    sdkLoads: 0,
    close: () =>
      new Promise<void>((r) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
  return s;
}

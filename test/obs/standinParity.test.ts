import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OBSWebSocket, { OBSWebSocketError } from 'obs-websocket-js';
import WebSocket from 'ws';
import { OBS_29_DEBIAN_KINDS, startObsStandin, type ObsStandin } from '../standins/obs.ts';
import { realObsUnavailable, startRealObs, type RealObs } from './realObs.ts';

/**
 * The OBS stand-in, set up as Debian's OBS 29 (obs-websocket 5.1), against a real one: the same
 * requests in the same order, the same answers (status code, OBS's comment, the fields of each
 * response). Where they differ the stand-in is wrong, and every test that meets it learns a wrong OBS.
 */
const unavailable = realObsUnavailable();
if (unavailable) console.log(`real OBS: skipped: ${unavailable}`);

type Obj = Record<string, unknown>;
type Outcome = { ok: true; data: unknown } | { ok: false; code: number; comment: string };

/** Requests both serve, as Pickle and the tests use them; run on a fresh OBS with one scene, "Scene". */
const SCRIPT: [string, Obj | undefined][] = [
  ['GetCurrentProgramScene', undefined],
  ['GetSceneList', undefined],
  ['GetInputKindList', { unversioned: false }],
  ['GetInputSettings', { inputName: 'Pickle overlay' }],
  ['GetInputSettings', {}],
  ['GetInputSettings', { inputName: 5 }],
  ['NoSuchRequest', undefined],
  ['CreateInput', { sceneName: 'Scene', inputName: 'Pickle overlay', inputKind: 'browser_source', inputSettings: { url: 'http://127.0.0.1:8000/overlay' } }],
  ['CreateInput', { sceneName: 'Nope', inputName: 'x', inputKind: 'color_source_v3' }],
  ['CreateInput', { sceneName: 'Scene', inputName: 'Scene', inputKind: 'color_source_v3' }],
  ['CreateInput', { sceneName: 'Scene', inputName: 'card', inputKind: 'color_source_v3', inputSettings: {} }],
  ['CreateInput', { sceneName: 'Scene', inputName: 'card', inputKind: 'color_source_v3', inputSettings: {} }],
  ['GetInputSettings', { inputName: 'card' }],
  ['GetInputSettings', { inputName: 'Scene' }],
  ['SetInputSettings', { inputName: 'card', inputSettings: { color: 4278190335 } }],
  ['SetInputSettings', { inputName: 'nope', inputSettings: {} }],
  ['GetInputSettings', { inputName: 'card' }],
  ['GetInputList', undefined],
  ['GetSceneItemList', { sceneName: 'Scene' }],
  ['GetSceneItemList', { sceneName: 'Nope' }],
  ['CreateSceneItem', { sceneName: 'Scene', sourceName: 'Scene' }],
  ['SetCurrentProgramScene', { sceneName: 'Nope' }],
  ['SetCurrentProgramScene', { sceneName: 'Scene' }],
];

/** JSON with every object's keys sorted: OBS's field order is not part of the protocol. */
function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)).map(([k, y]) => [k, sort(y)])) : x;
  return JSON.stringify(sort(v));
}

async function run(url: string, password: string): Promise<Outcome[]> {
  const obs = new OBSWebSocket();
  await obs.connect(url, password);
  // The script holds unknown request types and malformed fields on purpose: the library's typed `call` cannot name them.
  const callAny = obs.call.bind(obs) as unknown as (type: string, data?: Obj) => Promise<unknown>;
  const out: Outcome[] = [];
  try {
    for (const [type, data] of SCRIPT) {
      try {
        const res = await callAny(type, data);
        out.push({ ok: true, data: res ?? null });
      } catch (err) {
        if (!(err instanceof OBSWebSocketError)) throw err;
        out.push({ ok: false, code: err.code, comment: err.message });
      }
    }
  } finally {
    await obs.disconnect();
  }
  return out;
}

/** The first message a client gets (Hello), and how a wrong password is refused, on the raw socket. */
async function helloAndRefusal(url: string): Promise<{ helloKeys: string[]; close: [number, string] }> {
  const ws = new WebSocket(url, 'obswebsocket.json');
  return new Promise((resolve, reject) => {
    let helloKeys: string[] = [];
    ws.on('message', (m: Buffer) => {
      const msg = JSON.parse(m.toString()) as { op: number; d: Obj };
      if (msg.op !== 0) return;
      helloKeys = Object.keys(msg.d).sort();
      ws.send(JSON.stringify({ op: 1, d: { rpcVersion: 1, authentication: 'wrong' } }));
    });
    ws.on('close', (code, reason) => resolve({ helloKeys, close: [code, reason.toString()] }));
    ws.on('error', reject);
  });
}

describe.skipIf(unavailable !== undefined)('the OBS stand-in answers as a real OBS 29 does', () => {
  let real: RealObs;
  let standin: ObsStandin;
  beforeAll(async () => {
    real = await startRealObs({ password: 'parity-pw' });
    standin = await startObsStandin({ password: 'parity-pw', obsVersion: '29.0.2', obsWebSocketVersion: '5.1.0', inputKinds: OBS_29_DEBIAN_KINDS, scenes: ['Scene'] });
  }, 90_000);
  afterAll(async () => {
    await real?.close();
    await standin?.close();
  });

  it('same Hello fields, and a wrong password closed the same way', async () => {
    const [a, b] = await Promise.all([helloAndRefusal(real.url), helloAndRefusal(standin.url)]);
    expect(b).toEqual(a);
    expect(a.close[0]).toBe(4009);
  });

  it('same GetVersion fields and versions; the stand-in serves a subset of the real requests', async () => {
    const version = async (url: string) => {
      const obs = new OBSWebSocket();
      await obs.connect(url, 'parity-pw');
      try {
        return await obs.call('GetVersion');
      } finally {
        await obs.disconnect();
      }
    };
    const [a, b] = await Promise.all([version(real.url), version(standin.url)]);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    expect([b.obsVersion, b.obsWebSocketVersion, b.rpcVersion]).toEqual([a.obsVersion, a.obsWebSocketVersion, a.rpcVersion]);
    expect(b.availableRequests.filter((r) => !a.availableRequests.includes(r))).toEqual([]);
  });

  it('the same answer to each request Pickle and its tests make', async () => {
    const realOut = await run(real.url, 'parity-pw');
    const standinOut = await run(standin.url, 'parity-pw');
    const diffs = SCRIPT.map(([type, data], i) => ({ request: `${type} ${JSON.stringify(data ?? {})}`, real: realOut[i], standin: standinOut[i] })).filter(
      (d) => canonical(d.real) !== canonical(d.standin),
    );
    expect(diffs).toEqual([]);
    // The script meets the statuses Pickle words for the streamer.
    const codes = realOut.flatMap((o) => (o.ok ? [] : [o.code]));
    expect(new Set(codes)).toEqual(new Set([600, 300, 401, 204, 605, 601, 602, 703]));
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import OBSWebSocketMsgpack, { EventSubscription, OBSWebSocketError } from 'obs-websocket-js';
import OBSWebSocketJson from 'obs-websocket-js/json';
import WebSocket from 'ws';
import { OBS_CLOSE, OBS_STATUS, startObsStandin, type ObsStandin } from '../standins/obs.ts';

/** The stand-in speaks obs-websocket 5 as OBS does: checked here with the real obs-websocket-js, in both encodings. */

let standin: ObsStandin | undefined;
const clients: { disconnect(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.disconnect();
  await standin?.close();
  standin = undefined;
});

const until = async (cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const encodings = [
  ['json', () => new OBSWebSocketJson()],
  ['msgpack', () => new OBSWebSocketMsgpack()],
] as const;

describe.each(encodings)('obs-websocket stand-in over obswebsocket.%s', (encoding, make) => {
  it('Hello with a challenge; the SHA-256 answer identifies; requests answer like OBS', async () => {
    standin = await startObsStandin({ password: 'hunter2', scenes: ['Just Chatting', 'BRB'] });
    const obs = make();
    clients.push(obs);
    let hello: { authentication?: { challenge: string; salt: string } } | undefined;
    obs.on('Hello', (h) => (hello = h));
    const identified = await obs.connect(standin.url, 'hunter2');
    expect(identified.negotiatedRpcVersion).toBe(1);
    expect(hello?.authentication?.challenge).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(hello?.authentication?.salt).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(standin.sessions[0]).toMatchObject({ encoding, identified: true });

    const version = await obs.call('GetVersion');
    expect(version.rpcVersion).toBe(1);
    expect(version.availableRequests).toContain('CreateInput');
    expect((await obs.call('GetCurrentProgramScene')).sceneName).toBe('Just Chatting');

    const created = await obs.call('CreateInput', {
      sceneName: 'Just Chatting',
      inputName: 'Overlay',
      inputKind: 'browser_source',
      inputSettings: { url: 'http://127.0.0.1:8000/overlay', width: 1920, height: 1080, reroute_audio: true },
    });
    expect(created.sceneItemId).toBe(1);
    const items = await obs.call('GetSceneItemList', { sceneName: 'Just Chatting' });
    expect(items.sceneItems.map((i) => i['sourceName'])).toEqual(['Overlay']);
    const settings = await obs.call('GetInputSettings', { inputName: 'Overlay' });
    expect(settings).toEqual({ inputKind: 'browser_source', inputSettings: { url: 'http://127.0.0.1:8000/overlay', width: 1920, height: 1080, reroute_audio: true } });
    await obs.call('SetInputSettings', { inputName: 'Overlay', inputSettings: { width: 1280 } });
    expect(standin.input('Overlay')?.settings).toMatchObject({ width: 1280, height: 1080 });
    expect((await obs.call('GetInputList')).inputs.map((i) => i['inputName'])).toEqual(['Overlay']);
    await obs.call('CreateSceneItem', { sceneName: 'BRB', sourceName: 'Overlay' });
    expect(standin.sceneItems('BRB')).toEqual(['Overlay']);
  });

  it('status codes: 601 for a name taken, 600 for a missing input or scene, 204 for an unknown request', async () => {
    standin = await startObsStandin({ password: null });
    const obs = make();
    clients.push(obs);
    await obs.connect(standin.url);
    const codeOf = async (p: Promise<unknown>) => {
      const err = await p.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(OBSWebSocketError);
      return err instanceof OBSWebSocketError ? [err.code, err.message] : [];
    };
    const input = { sceneName: 'Just Chatting', inputName: 'A', inputKind: 'browser_source' };
    await obs.call('CreateInput', input);
    expect(await codeOf(obs.call('CreateInput', input))).toEqual([OBS_STATUS.ResourceAlreadyExists, 'A source already exists by that input name.']);
    expect((await codeOf(obs.call('GetInputSettings', { inputName: 'nope' })))[0]).toBe(OBS_STATUS.ResourceNotFound);
    expect((await codeOf(obs.call('GetSceneItemList', { sceneName: 'nope' })))[0]).toBe(OBS_STATUS.ResourceNotFound);
    expect((await codeOf(obs.call('CreateInput', { ...input, inputName: 'B', inputKind: 'nonsense' })))[0]).toBe(OBS_STATUS.InvalidInputKind);
    expect((await codeOf(obs.call('GetInputSettings', {})))[0]).toBe(OBS_STATUS.MissingRequestField);
    // A request type OBS does not know (the typed client refuses the name, so a raw call).
    expect(await codeOf(obs.call('GetPickle' as 'GetVersion'))).toEqual([OBS_STATUS.UnknownRequestType, 'Your request type is not valid.']);
  });

  it('a wrong password is closed with 4009, and no request was ever answered', async () => {
    standin = await startObsStandin({ password: 'right' });
    const obs = make();
    const err = await obs.connect(standin.url, 'wrong').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(OBSWebSocketError);
    expect((err as OBSWebSocketError).code).toBe(OBS_CLOSE.AuthenticationFailed);
    expect((err as OBSWebSocketError).message).toBe('Authentication failed.');
    // No password at all while OBS wants one: also 4009.
    const err2 = await make().connect(standin.url).then(() => undefined, (e: unknown) => e);
    expect((err2 as OBSWebSocketError).code).toBe(OBS_CLOSE.AuthenticationFailed);
    expect(standin.requests).toHaveLength(0);
  });

  it('events go to sessions subscribed to their category only', async () => {
    standin = await startObsStandin({ password: 'pw' });
    const scenes = make();
    const none = make();
    clients.push(scenes, none);
    await scenes.connect(standin.url, 'pw', { eventSubscriptions: EventSubscription.Scenes });
    await none.connect(standin.url, 'pw', { eventSubscriptions: EventSubscription.Inputs });
    const seen: string[] = [];
    const unseen: string[] = [];
    scenes.on('CurrentProgramSceneChanged', (e) => seen.push(e.sceneName));
    none.on('CurrentProgramSceneChanged', (e) => unseen.push(e.sceneName));
    standin.switchScene('BRB');
    await scenes.call('SetCurrentProgramScene', { sceneName: 'Starting Soon' });
    await until(() => seen.length === 2);
    // A request on the other session after the switch: any event for it would have arrived before the answer.
    await none.call('GetVersion');
    expect(seen).toEqual(['BRB', 'Starting Soon']);
    expect(unseen).toEqual([]);
  });
});

describe('obs-websocket stand-in: the protocol below the client library', () => {
  const open = (url: string, protocol: string | string[] = 'obswebsocket.json') =>
    new Promise<{ ws: WebSocket; messages: unknown[]; closed: Promise<[number, string]> }>((resolve, reject) => {
      const ws = new WebSocket(url, protocol);
      const messages: unknown[] = [];
      const closed = new Promise<[number, string]>((r) => ws.on('close', (code, reason) => r([code, reason.toString()])));
      ws.on('message', (data, isBinary) => messages.push(isBinary ? data : JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : '')));
      ws.once('open', () => resolve({ ws, messages, closed }));
      ws.once('error', reject);
    });

  it('computes the answer as the protocol says: base64(sha256(base64(sha256(password + salt)) + challenge))', async () => {
    standin = await startObsStandin({ password: 'supersecretpassword' });
    const c = await open(standin.url);
    await until(() => c.messages.length === 1);
    const hello = c.messages[0] as { op: number; d: { authentication: { salt: string; challenge: string }; rpcVersion: number } };
    expect(hello.op).toBe(0);
    const b64 = (s: string) => createHash('sha256').update(s).digest('base64');
    const answer = b64(b64('supersecretpassword' + hello.d.authentication.salt) + hello.d.authentication.challenge);
    c.ws.send(JSON.stringify({ op: 1, d: { rpcVersion: 1, authentication: answer } }));
    await until(() => c.messages.length === 2);
    expect(c.messages[1]).toEqual({ op: 2, d: { negotiatedRpcVersion: 1 } });
    c.ws.close();
  });

  it('closes with OBS\'s codes: request before Identify 4007, binary on JSON 4002, unknown op 4006', async () => {
    standin = await startObsStandin({ password: null });
    const a = await open(standin.url);
    a.ws.send(JSON.stringify({ op: 6, d: { requestType: 'GetVersion', requestId: '1' } }));
    expect((await a.closed)[0]).toBe(OBS_CLOSE.NotIdentified);
    const b = await open(standin.url);
    b.ws.send(Buffer.from([1, 2, 3]));
    expect((await b.closed)[0]).toBe(OBS_CLOSE.MessageDecodeError);
    const c = await open(standin.url);
    c.ws.send(JSON.stringify({ op: 1, d: { rpcVersion: 1 } }));
    await until(() => c.messages.length === 2);
    c.ws.send(JSON.stringify({ op: 42, d: {} }));
    expect((await c.closed)[0]).toBe(OBS_CLOSE.UnknownOpCode);
    // msgpack session that sends text: 4002 too.
    const d = await open(standin.url, 'obswebsocket.msgpack');
    d.ws.send('{"op":1,"d":{"rpcVersion":1}}');
    expect((await d.closed)[0]).toBe(OBS_CLOSE.MessageDecodeError);
  });

  it('stop and restart on the same port (OBS quit and came back)', async () => {
    standin = await startObsStandin({ password: null });
    const obs = new OBSWebSocketJson();
    clients.push(obs);
    await obs.connect(standin.url);
    const closed = new Promise<number>((r) => obs.once('ConnectionClosed', (e) => r(e.code)));
    await standin.stop();
    expect(await closed).not.toBe(1000);
    const refused = await new OBSWebSocketJson().connect(standin.url).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(Error);
    await standin.restart();
    await obs.connect(standin.url);
    expect((await obs.call('GetVersion')).rpcVersion).toBe(1);
  });
});

/**
 * VTube Studio's plugin API on 127.0.0.1 (WebSocket, JSON text), as unkind as the app: every
 * request must carry apiName "VTubeStudioPublicAPI" and apiVersion "1.0"; answers echo the
 * requestID with a timestamp; a token request waits on the streamer's click (`allow`) and a
 * denial is an APIError with errorID 50; everything but the state and the two authentication
 * requests needs an authenticated session (errorID 8); a token is valid across connections until
 * revoked. Injected parameter values are recorded with their arrival time, triggered hotkeys too.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface VtsStandinHotkey {
  name: string;
  type: string;
  hotkeyID: string;
}

export interface VtsStandinOptions {
  /** What the streamer clicks when a plugin asks for a token. */
  allow?: boolean;
  /** How long the streamer takes to click (ms). */
  clickDelayMs?: number;
  modelName?: string;
  hotkeys?: VtsStandinHotkey[];
}

export interface VtsStandin {
  url: string;
  allow: boolean;
  /** Every request received, in order: its messageType. */
  requests(): string[];
  tokensIssued(): number;
  triggered(): string[];
  /** `[arrival ms, parameter id, value]` of every injected value. */
  injected(): Array<[number, string, number]>;
  /** Closes every client socket (the server stays up). */
  dropAll(): void;
  close(): Promise<void>;
}

const ERR = { apiNameMissing: 1, unknownVersion: 2, requestRequiresAuth: 8, userDenied: 50, unknownMessage: 3 };

export async function startVtsStandin(opts: VtsStandinOptions = {}): Promise<VtsStandin> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const tokens = new Set<string>();
  const log: string[] = [];
  const triggered: string[] = [];
  const injected: Array<[number, string, number]> = [];
  const sockets = new Set<WebSocket>();
  const hotkeys = opts.hotkeys ?? [];
  const standin: VtsStandin = {
    url: '',
    allow: opts.allow ?? true,
    requests: () => [...log],
    tokensIssued: () => tokens.size,
    triggered: () => [...triggered],
    injected: () => [...injected],
    dropAll: () => {
      for (const s of sockets) s.terminate();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };

  wss.on('connection', (ws) => {
    sockets.add(ws);
    let authenticated = false;
    ws.on('close', () => sockets.delete(ws));
    const reply = (requestID: string, messageType: string, data: Record<string, unknown> = {}) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ apiName: 'VTubeStudioPublicAPI', apiVersion: '1.0', timestamp: Date.now(), requestID, messageType, data }));
    };
    const error = (requestID: string, errorID: number, message: string) => reply(requestID, 'APIError', { errorID, message });
    ws.on('message', (raw: Buffer) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        return error('', ERR.apiNameMissing, 'The request could not be parsed as JSON.');
      }
      const id = typeof msg['requestID'] === 'string' ? msg['requestID'] : 'generated-id';
      const type = typeof msg['messageType'] === 'string' ? msg['messageType'] : '';
      const data = (msg['data'] ?? {}) as Record<string, unknown>;
      log.push(type);
      if (msg['apiName'] !== 'VTubeStudioPublicAPI') return error(id, ERR.apiNameMissing, 'API name is missing or wrong.');
      if (msg['apiVersion'] !== '1.0') return error(id, ERR.unknownVersion, 'Unknown API version.');
      switch (type) {
        case 'APIStateRequest':
          return reply(id, 'APIStateResponse', { active: true, vTubeStudioVersion: '1.28.0', currentSessionAuthenticated: authenticated });
        case 'AuthenticationTokenRequest':
          setTimeout(() => {
            if (!standin.allow) return error(id, ERR.userDenied, 'User has denied API access for your plugin.');
            const token = `token-${tokens.size + 1}-${Math.random().toString(36).slice(2, 10)}`;
            tokens.add(token);
            reply(id, 'AuthenticationTokenResponse', { authenticationToken: token });
          }, opts.clickDelayMs ?? 50);
          return;
        case 'AuthenticationRequest': {
          authenticated = typeof data['authenticationToken'] === 'string' && tokens.has(data['authenticationToken']);
          return reply(id, 'AuthenticationResponse', { authenticated, reason: authenticated ? 'Token valid. The plugin is authenticated for the duration of this session.' : 'Token invalid.' });
        }
        default:
          break;
      }
      if (!authenticated) return error(id, ERR.requestRequiresAuth, 'This request requires authentication.');
      switch (type) {
        case 'HotkeysInCurrentModelRequest':
          return reply(id, 'HotkeysInCurrentModelResponse', { modelLoaded: true, modelName: opts.modelName ?? 'Hiyori', modelID: 'model-1', availableHotkeys: hotkeys.map((h) => ({ ...h, description: '', file: '', keyCombination: [], onScreenButtonID: -1 })) });
        case 'HotkeyTriggerRequest': {
          const hk = hotkeys.find((h) => h.hotkeyID === data['hotkeyID'] || h.name === data['hotkeyID']);
          if (!hk) return error(id, 351, 'No hotkey with that ID or name.');
          triggered.push(hk.hotkeyID);
          return reply(id, 'HotkeyTriggerResponse', { hotkeyID: hk.hotkeyID });
        }
        case 'InjectParameterDataRequest': {
          const values = Array.isArray(data['parameterValues']) ? (data['parameterValues'] as Array<{ id?: unknown; value?: unknown }>) : [];
          for (const v of values) if (typeof v.id === 'string' && typeof v.value === 'number') injected.push([Date.now(), v.id, v.value]);
          return reply(id, 'InjectParameterDataResponse');
        }
        default:
          return error(id, ERR.unknownMessage, `Unknown message type ${type}.`);
      }
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  standin.url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return standin;
}

import { ListenLiveClient, type LiveSchema } from '@deepgram/sdk';
import WebSocket from 'ws';

/**
 * Deepgram's live client (@deepgram/sdk v4) on the `ws` package rather than a browser-style
 * WebSocket: the key goes in the Authorization header, and a refused upgrade reports its HTTP
 * status. The SDK's `websocket.client` option is typed as the browser's WebSocket, yet the SDK
 * builds it as `new transport(url, undefined, { headers })`, ws's own signature, from its
 * `transport` field, which is typed for ws: setting that field before each connect gives the
 * same transport, type-checked.
 */
class WsListenLiveClient extends ListenLiveClient {
  protected override connect(schema: LiveSchema, endpoint: string): void {
    this.transport = WebSocket;
    super.connect(schema, endpoint);
  }
}

/** A live transcription connection to `url` (a ws(s) base URL), opening now. */
export function openDeepgramLive(key: string, url: string, schema: LiveSchema): ListenLiveClient {
  return new WsListenLiveClient({ key, global: { websocket: { options: { url } } } }, schema);
}

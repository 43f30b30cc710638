/**
 * socket.io: `/avatar` (the OBS overlay, output only) and `/panel` (control panel).
 * socket.io lets any web page open a WebSocket to it (no CORS for WebSockets), so
 * every handshake goes through the same guard as HTTP writes.
 */
import { randomBytes } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { AvatarNamespace, PanelNamespace } from '../screens/namespaces.ts';
import type { SettingsStore } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { tokenFromRequest, type Guard } from './guard.ts';
import { capSockets, overlayGate } from './access.ts';
import { MIC_NAMESPACE } from '../audio/micChannel.ts';
import type { ConnectionLimiter } from './limits.ts';

export type SocketMiddleware = (socket: Socket, next: (err?: Error) => void) => void;

export interface Sockets {
  io: Server;
  avatar: AvatarNamespace;
  panel: PanelNamespace;
  /** Namespace middleware: in token mode, refuses sockets without the access token (panel, inspector). */
  tokenGate: SocketMiddleware;
  /** What Pickle's own voice page (hidden browser) shows on `/avatar`: fresh at every start, never the access token. */
  pageKey: string;
  /** Stops pushing status/settings to the panel. */
  detach(): void;
}

export function attachSockets(
  httpServer: HttpServer,
  deps: { guard: Guard; log: Logger; status: StatusBoard; settings: SettingsStore; overlayKey?: string; limiter?: ConnectionLimiter },
): Sockets {
  const { guard, log } = deps;
  const io = new Server(httpServer, {
    serveClient: true,
    // Clients send little or nothing; keep a bad client from making us buffer megabytes.
    maxHttpBufferSize: 64 * 1024,
    allowRequest: (req, cb) => {
      if (deps.limiter && !deps.limiter.handshakeAllowed(req.socket.remoteAddress)) return cb('too many connection attempts', false);
      const reason = guard.checkHost(req.headers) ?? guard.checkOrigin(req.headers);
      if (reason) {
        log.debug({ reason }, 'socket.io handshake refused');
        cb(reason, false);
        return;
      }
      cb(null, true);
    },
  });

  // The panel can change things (or will): in token mode it needs the token to connect.
  const tokenGate: SocketMiddleware = (socket, next) => {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const given =
      typeof auth?.['token'] === 'string' ? auth['token'] : tokenFromRequest(socket.handshake.headers, socket.handshake.query);
    if (!guard.tokenOk(given)) return next(new Error('unauthorized'));
    next();
  };
  const pageKey = randomBytes(18).toString('base64url');
  // Every namespace, including those added later (inspector): a few sockets per address each, and
  // in token mode the access token, except the overlay's, which needs its own key, and the
  // microphone's, whose channel admits only its session's key (src/audio/micChannel.ts).
  io.on('new_namespace', (ns) => {
    capSockets(ns);
    if (ns.name === MIC_NAMESPACE) return;
    ns.use(ns.name === '/avatar' ? overlayGate(guard, [deps.overlayKey, pageKey]) : tokenGate);
  });
  // The main namespace exists before the listener: nothing is sent there, but it is gated all the same.
  capSockets(io.of('/'));
  io.of('/').use(tokenGate);
  const avatar: AvatarNamespace = io.of('/avatar');
  const panel: PanelNamespace = io.of('/panel');

  panel.on('connection', (socket) => {
    socket.emit('status', deps.status.all());
    socket.emit('settings', deps.settings.get());
  });

  const onStatus = () => panel.emit('status', deps.status.all());
  deps.status.on('change', onStatus);
  const offSettings = deps.settings.on('change', (next) => panel.emit('settings', next));

  return {
    io,
    avatar,
    panel,
    tokenGate,
    pageKey,
    detach() {
      deps.status.off('change', onStatus);
      offSettings();
    },
  };
}

/**
 * Pickle's HTTP server: REST API, /health, the overlay pages and socket.io, on one port.
 * Listens on HOST:PORT (127.0.0.1 by default). Anything not on loopback needs the
 * access token for everything but the overlay (see access.ts).
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'socket.io';
import type { AvatarNamespace, PanelNamespace } from '../screens/namespaces.ts';
import type { SettingsStore } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';
import { apiRouter, type ControlCommand } from './api.ts';
import { allowedHostHeaders, createGuard, hostForUrl, isLoopbackHost, isWildcardHost, tokenFromRequest } from './guard.ts';
import { attachSockets, type SocketMiddleware } from './sockets.ts';
import { accessMiddleware } from './access.ts';
import { createConnectionLimiter, type LimiterOptions } from './limits.ts';
import { importMapHashes } from './importMap.ts';

export type { ControlCommand } from './api.ts';

export interface ServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  log: Logger;
  status: StatusBoard;
  settings: SettingsStore;
  /** Available persona ids (validation of PUT /api/settings/persona). */
  personas: () => string[];
  /** Rehearsal chat, injected as the broadcaster. */
  onChat: (msg: { user: string; text: string }) => void;
  onControl: (cmd: ControlCommand) => void;
  /** Extra fields for /health (actors, mode...). Never put secrets here. */
  health: () => Record<string, unknown>;
  /** Required when `host` is not loopback (or `requireToken`): everything but the overlay needs it. */
  accessToken?: string;
  /** In token mode, what the overlay's socket (`/avatar`) needs instead of the access token. */
  overlayKey?: string;
  /** Force token mode on a loopback bind (tests; streamers behind a tunnel). */
  requireToken?: boolean;
  /** Extra host names clients may use in the Host header (e.g. `pickle.lan`). */
  allowedHosts?: string[];
  overlayDir: string;
  /** Connection limits per address (default on, on the real clock); tests give a clock, the bench turns them off. */
  connectionLimits?: Omit<LimiterOptions, 'log'> | false;
  /** More pages and endpoints (panel, inspector, persona art), mounted before the 404 handler. */
  routes?: express.Router;
}

export interface PickleServer {
  /** e.g. `http://127.0.0.1:8000` (a wildcard bind is reported as 127.0.0.1). */
  url: string;
  port: number;
  avatar: AvatarNamespace;
  panel: PanelNamespace;
  io: Server;
  /** Namespace middleware requiring the access token in token mode (for namespaces added later). */
  tokenGate: SocketMiddleware;
  /** The key Pickle's own voice page (hidden browser) joins `/avatar` with. */
  pageKey: string;
  /** True when writes and /panel need the access token. */
  tokenMode: boolean;
  close(): Promise<void>;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function createServer(opts: ServerOptions): Promise<PickleServer> {
  const tokenMode = opts.requireToken === true || !isLoopbackHost(opts.host);
  if (tokenMode && !opts.accessToken) {
    throw new Error(
      `HOST ${opts.host} is reachable from other machines: an access token is required (or bind to 127.0.0.1)`,
    );
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const httpServer = createHttpServer(app);

  await listen(httpServer, opts.port, opts.host);
  const port = (httpServer.address() as AddressInfo).port;
  const guard = createGuard({
    allowedHosts: allowedHostHeaders(opts.host, port, opts.allowedHosts),
    tokenMode,
    ...(opts.accessToken ? { accessToken: opts.accessToken } : {}),
  });
  const log = opts.log.child({ svc: 'server' });
  const limiter = opts.connectionLimits === false ? undefined : createConnectionLimiter({ log, ...opts.connectionLimits });
  // Before anything else: an address over its limit costs no more than this.
  if (limiter) app.use(limiter.middleware);
  const scriptSrc = ["'self'", ...importMapHashes(opts.overlayDir)].join(' ');

  // One debug line per request; the path only (the query may hold ?token=).
  app.use((req, res, next) => {
    if (log.isLevelEnabled('debug')) {
      const t0 = performance.now();
      res.on('finish', () =>
        log.debug({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(performance.now() - t0) }, 'http'),
      );
    }
    next();
  });

  app.use((req, res, next) => {
    const hostRefused = guard.checkHost(req.headers);
    if (hostRefused) {
      res.status(403).json({ error: 'forbidden', reason: hostRefused });
      return;
    }
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      // socket.io: polling is 'self'; the WebSocket upgrade needs ws://host:port spelled out for older engines.
      // script-src: 'self' and the overlay's import map by its hash. blob:/data: for images and fetches only: a VRM's
      // embedded textures are decoded from blob: URLs.
      'Content-Security-Policy': `default-src 'self'; script-src ${scriptSrc}; img-src 'self' blob: data:; connect-src 'self' ws://${req.headers.host} blob: data:; object-src 'none'; base-uri 'none'; form-action 'self'`,
    });
    next();
  });

  app.use((req, res, next) => {
    if (WRITE_METHODS.has(req.method)) {
      const refused = guard.checkOrigin(req.headers);
      if (refused) {
        res.status(403).json({ error: 'forbidden', reason: refused });
        return;
      }
      if (!guard.tokenOk(tokenFromRequest(req.headers, req.query))) {
        res.status(401).json({ error: 'unauthorized', reason: 'access token required' });
        return;
      }
    }
    next();
  });
  // Reads need the token too in token mode; frame headers on every page but the overlay.
  app.use(accessMiddleware(guard));

  app.get('/', (_req, res) => {
    res.json({ ok: true, name: 'pickle' });
  });

  app.get('/health', (_req, res) => {
    const services = opts.status.all().map((s) => ({ ...s }));
    res.set('Cache-Control', 'no-store').json({
      ok: services.every((s) => s.state !== 'down'),
      services,
      ...(limiter ? { refusedByLimits: limiter.counts() } : {}),
      ...opts.health(),
    });
  });

  app.use('/api', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  app.use('/api', express.json({ limit: '16kb', strict: true }));
  app.use(
    '/api',
    apiRouter({ settings: opts.settings, personas: opts.personas, onChat: opts.onChat, onControl: opts.onControl }),
  );

  const overlayDir = path.resolve(opts.overlayDir);
  app.get('/overlay', (_req, res, next) => {
    res.sendFile('overlay.html', { root: overlayDir }, (err) => err && next(err));
  });
  app.use('/overlay', express.static(overlayDir, { index: false, redirect: false, dotfiles: 'ignore' }));

  if (opts.routes) app.use(opts.routes);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  // Always JSON, never an HTML stack trace.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; statusCode?: number; expose?: boolean; message?: string };
    const status = e.status ?? e.statusCode ?? 500;
    if (res.headersSent) return;
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'malformed JSON' });
    } else if (e.type === 'entity.too.large') {
      res.status(413).json({ error: 'body too large', limit: '16kb' });
    } else if (status === 404) {
      res.status(404).json({ error: 'not found' });
    } else if (status >= 400 && status < 500) {
      res.status(status).json({ error: e.expose && e.message ? e.message : 'bad request' });
    } else {
      log.error({ err, method: req.method, path: req.path }, 'request failed');
      res.status(500).json({ error: 'internal error' });
    }
  });

  const sockets = attachSockets(httpServer, { guard, log, status: opts.status, settings: opts.settings, ...(opts.overlayKey ? { overlayKey: opts.overlayKey } : {}), ...(limiter ? { limiter } : {}) });
  limiter?.attach(httpServer, sockets.io);
  const url = `http://${isWildcardHost(opts.host) ? '127.0.0.1' : hostForUrl(opts.host)}:${port}`;
  log.info({ url, tokenMode }, 'server listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    avatar: sockets.avatar,
    panel: sockets.panel,
    io: sockets.io,
    tokenGate: sockets.tokenGate,
    pageKey: sockets.pageKey,
    tokenMode,
    close() {
      closing ??= new Promise<void>((resolve) => {
        sockets.detach();
        // io.close() disconnects sockets and closes the HTTP server; drop keep-alive connections too.
        void sockets.io.close(() => resolve());
        httpServer.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(server: ReturnType<typeof createHttpServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${port} on ${host} is already in use (another Pickle running? set PORT)`, { cause: err })
          : err,
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Who may read what when Pickle listens beyond this PC (token mode), and the headers and limits
 * every client gets:
 * - everything but the overlay (its page and static files) and `/` needs the access token:
 *   the API (reads too: memory holds every viewer's chat), `/health`, `/panel`, `/inspector`,
 *   `/report/<id>` (a page opened with `?token=` is let in again by its cookie);
 * - the overlay's socket (`/avatar`) needs the overlay key (or the access token): a device on
 *   the LAN cannot steer playback, and the overlay URL in OBS does not open the panel;
 * - Pickle's own hidden browser never holds the access token: its pages and scripts are public
 *   (code, no data), and each of its sockets takes a key of its own, handed over the DevTools
 *   pipe (the voice page's key on `/avatar`, the microphone session's key on its namespace);
 * - pages cannot be framed (clickjacking), except the overlay, which OBS loads on its own;
 * - sockets per address and namespace are capped.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Namespace, Socket } from 'socket.io';
import { tokenFromRequest, type Guard } from './guard.ts';

/** Sockets one address may hold open on one namespace. */
export const MAX_SOCKETS_PER_ADDRESS = 20;

/**
 * Paths anyone who can reach the port may read in token mode: `/`, the overlay OBS loads, the
 * camera, microphone and voice pages Pickle's own headless browser opens (pages and scripts, no
 * data), the report's chart library (uPlot, as published), and socket.io's transport (each
 * namespace checks its own secret).
 */
const PUBLIC_FILES = new Set([
  '/',
  '/favicon.ico',
  '/overlay',
  '/vision/capture',
  '/vision/capture.js',
  '/senses/mic',
  '/senses/mic.js',
  '/senses/micWorklet.js',
  '/senses/speaker',
  '/senses/speaker.js',
]);
export function isPublicPath(path: string): boolean {
  return PUBLIC_FILES.has(path) || path.startsWith('/overlay/') || path.startsWith('/socket.io/') || path.startsWith('/report/lib/');
}

/** Only the overlay may be framed (OBS); every other page refuses to be shown in a frame. */
export function mayBeFramed(path: string): boolean {
  return path === '/overlay' || path.startsWith('/overlay/');
}

/** Constant-time check of a secret (digests, so the time does not depend on the guess's length). */
export function secretMatcher(secret: string | undefined): (given: string | undefined) => boolean {
  const expected = secret ? createHash('sha256').update(secret).digest() : undefined;
  return (given) => !!expected && !!given && timingSafeEqual(createHash('sha256').update(given).digest(), expected);
}

/** The cookie a page opened with `?token=` gets, so a reload (the address bar no longer holds it) still opens. */
export const PAGE_COOKIE = 'pickle_page';

function cookie(headers: IncomingHttpHeaders, name: string): string | undefined {
  const raw = headers.cookie;
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

const PAGES = new Set(['/panel', '/inspector']);
/** A page a browser opens (the panel, the inspector, a stream's report): the page cookie lets it in. */
const isPage = (path: string) => PAGES.has(path) || /^\/report\/[\w-]+$/.test(path);

/**
 * Express middleware: frame headers on every response, and in token mode the token for every
 * path that is not public. Pages also accept the page cookie (set when opened with `?token=`),
 * only for GET: writes and API reads carry the token in `Authorization`.
 */
export function accessMiddleware(guard: Guard) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!mayBeFramed(req.path)) {
      res.set('X-Frame-Options', 'DENY');
      const csp = res.get('Content-Security-Policy');
      res.set('Content-Security-Policy', csp ? `${csp}; frame-ancestors 'none'` : "frame-ancestors 'none'");
    }
    if (!guard.tokenMode || isPublicPath(req.path)) return next();
    const given = tokenFromRequest(req.headers, req.query);
    if (guard.tokenOk(given)) {
      if (isPage(req.path) && req.method === 'GET' && given) {
        // HttpOnly + SameSite=Strict: no script reads it and no other site sends it.
        res.cookie(PAGE_COOKIE, given, { httpOnly: true, sameSite: 'strict', path: '/' });
      }
      return next();
    }
    if (isPage(req.path) && req.method === 'GET' && guard.tokenOk(cookie(req.headers, PAGE_COOKIE))) return next();
    res.set('Cache-Control', 'no-store');
    res.status(401).json({ error: 'unauthorized', reason: 'access token required', fix: 'open the link Pickle printed at start (it ends in ?token=…), or send Authorization: Bearer <token>' });
  };
}

type SocketMiddleware = (socket: Socket, next: (err?: Error) => void) => void;

function handshakeSecret(socket: Socket, field: 'token' | 'key'): string | undefined {
  const auth = socket.handshake.auth as Record<string, unknown> | undefined;
  if (typeof auth?.[field] === 'string') return auth[field];
  if (field === 'token') return tokenFromRequest(socket.handshake.headers, socket.handshake.query);
  const q = (socket.handshake.query as Record<string, unknown>)[field];
  return typeof q === 'string' ? q : undefined;
}

/** `/avatar` in token mode: the overlay key, the hidden browser's voice page key, or the access token. */
export function overlayGate(guard: Guard, keys: ReadonlyArray<string | undefined>): SocketMiddleware {
  const matchers = keys.map(secretMatcher);
  return (socket, next) => {
    if (!guard.tokenMode) return next();
    const key = handshakeSecret(socket, 'key');
    if (matchers.some((ok) => ok(key)) || guard.tokenOk(handshakeSecret(socket, 'token'))) return next();
    next(new Error('unauthorized'));
  };
}

/** Refuses a socket when its address already holds `max` on this namespace (counted once connected). */
export function capSockets(ns: Namespace, max = MAX_SOCKETS_PER_ADDRESS): void {
  const open = new Map<string, number>();
  ns.use((socket, next) => {
    if ((open.get(socket.handshake.address) ?? 0) >= max) return next(new Error('too many connections'));
    next();
  });
  ns.on('connection', (socket) => {
    const addr = socket.handshake.address;
    open.set(addr, (open.get(addr) ?? 0) + 1);
    socket.once('disconnect', () => {
      const left = (open.get(addr) ?? 1) - 1;
      if (left <= 0) open.delete(addr);
      else open.set(addr, left);
    });
  });
}

/**
 * Connection limits at the door (machines/connectionLimits.ts decides): an address that has spent
 * its allowance is turned away before Pickle does any work for it: its new TCP connections are
 * closed at once, its HTTP requests get 429 and a closed connection, and a socket.io connection
 * that sends CONNECT packets past the allowance is closed before the packet is decoded (the
 * engine's `packet` event comes before socket.io's). Refusals are counted for /health; the log
 * gets one line when an address starts being limited, never one per refusal.
 */
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import type { Socket as EngineSocket } from 'engine.io';
import type { Server } from 'socket.io';
import { AddressLimits, CONNECTION_LIMITS, type Allowance, type LimitKind } from '../../machines/connectionLimits.ts';
import type { Logger } from '../log.ts';

export interface LimitCounts {
  /** HTTP requests answered 429 (their address had spent its allowance of refusals). */
  requests: number;
  /** TCP connections closed on arrival. */
  connections: number;
  /** socket.io connections closed for sending CONNECT packets past the allowance. */
  sockets: number;
  /** socket.io handshakes refused. */
  handshakes: number;
}

export interface ConnectionLimiter {
  /** Express middleware, first of all. */
  readonly middleware: (req: Request, res: Response, next: NextFunction) => void;
  /** socket.io's allowRequest: false when the address has spent its CONNECT allowance. */
  handshakeAllowed(address: string | undefined): boolean;
  /** Closes TCP connections from limited addresses, and watches socket.io's CONNECT packets. */
  attach(httpServer: HttpServer, io: Server): void;
  counts(): LimitCounts;
}

export interface LimiterOptions {
  log: Logger;
  /** Injected clock (ms); tests move it. */
  now?: () => number;
  limits?: Record<LimitKind, Allowance>;
}

const REFUSED = new Set([401, 403]);

export function createConnectionLimiter(opts: LimiterOptions): ConnectionLimiter {
  const limits = new AddressLimits(opts.now ?? (() => performance.now()), opts.limits ?? CONNECTION_LIMITS);
  const counts: LimitCounts = { requests: 0, connections: 0, sockets: 0, handshakes: 0 };
  const limited = new Set<string>();
  const spend = (kind: LimitKind, address: string): boolean => {
    if (limits.spend(kind, address)) {
      limited.delete(address);
      return true;
    }
    if (!limited.has(address) && limited.size < 1000) {
      limited.add(address);
      opts.log.warn({ event: 'server.limited', address, kind }, 'an address is over its connection limit; refusing it for a while');
    }
    return false;
  };
  const blocked = (address: string) => limits.exhausted('refused', address) || limits.exhausted('connect', address);

  return {
    middleware(req, res, next) {
      const address = req.socket.remoteAddress ?? '';
      if (limits.exhausted('refused', address)) {
        counts.requests++;
        res.set('Connection', 'close');
        res.status(429).json({ error: 'too many refused requests', retry: 'later' });
        return;
      }
      res.once('finish', () => {
        if (REFUSED.has(res.statusCode)) spend('refused', address);
      });
      next();
    },
    handshakeAllowed(address) {
      if (!address || !limits.exhausted('connect', address)) return true;
      counts.handshakes++;
      return false;
    },
    attach(httpServer, io) {
      httpServer.prependListener('connection', (socket: Socket) => {
        if (!blocked(socket.remoteAddress ?? '')) return;
        counts.connections++;
        socket.destroy();
      });
      io.engine.on('connection', (conn: EngineSocket) => {
        const address = conn.remoteAddress;
        conn.on('packet', (p: { type: string; data?: unknown }) => {
          // socket.io's CONNECT is a message whose text starts with its packet type, 0.
          if (p.type !== 'message' || typeof p.data !== 'string' || p.data.charCodeAt(0) !== 48) return;
          if (spend('connect', address)) return;
          counts.sockets++;
          // Not 'open' any more: the engine drops every packet after this one undecoded.
          conn.close();
        });
      });
    },
    counts: () => ({ ...counts }),
  };
}

/**
 * One base URL for two Deepgram stand-ins, as Pickle has one DEEPGRAM_URL: REST requests
 * (`/v1/speak`, TTS) go to one server, WebSocket upgrades (`/v1/listen`, live STT) to the other.
 * Bytes are passed through untouched, so both stand-ins see exactly what Pickle sent.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface DeepgramRouter {
  readonly url: string;
  close(): Promise<void>;
}

export async function startDeepgramRouter(restUrl: string, liveUrl: string): Promise<DeepgramRouter> {
  const rest = new URL(restUrl);
  const live = new URL(liveUrl);
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const up = http.request(
      { host: rest.hostname, port: rest.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const up = net.connect(Number(live.port), live.hostname, () => {
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    sockets.add(up).add(socket);
    const end = () => {
      up.destroy();
      socket.destroy();
      sockets.delete(up);
      sockets.delete(socket);
    };
    up.on('error', end).on('close', end);
    socket.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

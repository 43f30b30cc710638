import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { createMicChannel, MIC_NAMESPACE } from '../../src/audio/micChannel.ts';

/** Only the page given the session's key can send microphone audio; chunks arrive as whole samples. */

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function setup() {
  const http = createServer();
  const io = new Server(http);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => io.close(() => r())));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}${MIC_NAMESPACE}`;
  return { channel: createMicChannel(io), url };
}

function client(url: string, key: string): Promise<{ socket: Socket; error?: string }> {
  const socket = connect(url, { auth: { key }, transports: ['websocket'], reconnection: false });
  closers.push(() => socket.close());
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (err) => resolve({ socket, error: err.message }));
  });
}

describe('the microphone channel', () => {
  it('a wrong or old key is refused; the session key delivers PCM, odd bytes trimmed', async () => {
    const { channel, url } = await setup();
    const got: Buffer[] = [];
    const session = channel.open((pcm) => got.push(pcm));
    expect((await client(url, 'not-the-key')).error).toBe('unauthorized');
    const ok = await client(url, session.key);
    expect(ok.error).toBeUndefined();
    ok.socket.emit('pcm', Buffer.from([1, 0, 2, 0, 3]));
    ok.socket.emit('pcm', 'text is not audio');
    ok.socket.emit('pcm', Buffer.alloc(40_000));
    ok.socket.emit('pcm', Buffer.from([4, 0]));
    for (let i = 0; i < 200 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got.map((b) => [...b])).toEqual([[1, 0, 2, 0], [4, 0]]);

    session.close();
    for (let i = 0; i < 200 && ok.socket.connected; i++) await new Promise((r) => setTimeout(r, 10));
    expect(ok.socket.connected).toBe(false);
    expect((await client(url, session.key)).error).toBe('unauthorized');
  });
});

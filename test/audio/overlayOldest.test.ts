/**
 * Only the oldest playing overlay's `playback_end` ends a reply: a second page (a fake on the
 * LAN, a forgotten tab) can neither cut a reply short nor make Pickle wait on it.
 */
import { io as ioClient, type Socket } from 'socket.io-client';
import type { Namespace } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOverlayOutput, type OverlayOutput } from '../../src/audio/overlay.ts';
import { startHarness, type Harness } from '../server/harness.ts';

const clients: Socket[] = [];
const connect = async (url: string): Promise<Socket> => {
  const s = ioClient(`${url}/avatar`, { reconnection: false, forceNew: true, transports: ['websocket'] });
  clients.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
};
/** Sends and waits for the server to have handled it (an ack-less emit, then a round trip). */
const settle = (s: Socket) => new Promise<void>((resolve) => s.emit('ping-settle', () => resolve()));

describe('overlay playback reports', () => {
  let h: Harness;
  let out: OverlayOutput;
  beforeAll(async () => {
    h = await startHarness();
    out = createOverlayOutput();
    out.attach(h.server.avatar);
    // A test-only round trip, outside the overlay's own messages.
    const untyped: Namespace = h.server.avatar;
    untyped.on('connection', (socket) => socket.on('ping-settle', (ack: () => void) => ack()));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await h.close();
  });

  it("the newer overlay's playback_end is ignored; the oldest one's ends the stream", async () => {
    const real = await connect(h.server.url);
    real.emit('audio_state', { state: 'running' });
    await settle(real);
    const fake = await connect(h.server.url);
    fake.emit('audio_state', { state: 'running' });
    await settle(fake);
    expect(out.reporters()).toBe(1);

    const ended: string[] = [];
    const off = out.onEnded('r1', () => ended.push('r1'));
    fake.emit('playback_end', { id: 'r1' });
    await settle(fake);
    expect(ended).toEqual([]);
    real.emit('playback_end', { id: 'r1' });
    await settle(real);
    expect(ended).toEqual(['r1']);
    off();

    // The oldest leaves: the next oldest is listened to.
    real.close();
    const off2 = out.onEnded('r2', () => ended.push('r2'));
    for (let i = 0; i < 50 && out.playing() > 1; i++) await new Promise((r) => setTimeout(r, 20));
    fake.emit('playback_end', { id: 'r2' });
    await settle(fake);
    expect(ended).toEqual(['r1', 'r2']);
    off2();
  });
});

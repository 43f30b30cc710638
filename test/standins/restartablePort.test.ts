import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { freeRestartablePort, listenRestartable, relisten } from './restartablePort.ts';

describe('restartable stand-in ports', () => {
  it('are outside the range the kernel hands out, and a stand-in comes back on its own port', async () => {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const srv = createServer();
    const port = await listenRestartable(srv);
    expect(port).toBeLessThan(low);
    expect(port).toBeGreaterThan(1024);
    await new Promise<void>((r) => srv.close(() => r()));
    const again = createServer();
    expect(await relisten(again, port)).toBe(port);
    await new Promise<void>((r) => again.close(() => r()));
    expect(await freeRestartablePort()).toBeLessThan(low);
  });
});

// The embedded Chroma server, as a child process of Pickle: `node chromaChild.mjs --path DIR --host 127.0.0.1 --port N [--socket PATH]`.
//
// With --socket (Chroma in a network namespace of its own, see src/memory/chromaIsolation.ts),
// another worker thread listens on that Unix socket and pipes each connection to Chroma's port,
// which exists only inside the namespace: the socket is the one way in.
//
// It runs the same native server as `npx chroma run` (the chromadb package's CLI), which takes over
// this process's main thread. A worker thread watches stdin, a pipe from Pickle: when Pickle is
// gone, however it died (even SIGKILL), the pipe closes and this process kills itself, so no
// orphaned Chroma is left holding the data directory.
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

new Worker(
  `
  const fs = require('node:fs');
  const buf = Buffer.alloc(256);
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let n = 0;
    try {
      n = fs.readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      if (err && err.code === 'EAGAIN') { Atomics.wait(nap, 0, 0, 100); continue; }
      n = 0;
    }
    if (n === 0) break;
  }
  process.kill(process.pid, 'SIGKILL');
`,
  { eval: true },
);

const args = process.argv.slice(2);
const socketAt = args.indexOf('--socket');
if (socketAt >= 0) {
  const socketPath = args[socketAt + 1];
  args.splice(socketAt, 2);
  const host = args[args.indexOf('--host') + 1];
  const port = Number(args[args.indexOf('--port') + 1]);
  new Worker(
    `
    const fs = require('node:fs');
    const net = require('node:net');
    const { socketPath, host, port } = require('node:worker_threads').workerData;
    try { fs.unlinkSync(socketPath); } catch {}
    const server = net.createServer((client) => {
      const chroma = net.connect(port, host);
      const end = () => { client.destroy(); chroma.destroy(); };
      for (const s of [client, chroma]) { s.on('error', end); s.on('close', end); }
      client.pipe(chroma).pipe(client);
    });
    server.listen(socketPath, () => fs.chmodSync(socketPath, 0o600));
  `,
    { eval: true, workerData: { socketPath, host, port } },
  );
}

const require = createRequire(import.meta.url);
const bindings = {
  'linux-x64': 'chromadb-js-bindings-linux-x64-gnu',
  'linux-arm64': 'chromadb-js-bindings-linux-arm64-gnu',
  'darwin-x64': 'chromadb-js-bindings-darwin-x64',
  'darwin-arm64': 'chromadb-js-bindings-darwin-arm64',
  'win32-arm64': 'chromadb-js-bindings-win32-arm64-msvc',
};
const name = bindings[`${os.platform()}-${os.arch()}`];
if (!name) {
  process.stderr.write(`chroma: no embedded Chroma for ${os.platform()}-${os.arch()}; set CHROMA_URL to a Chroma server\n`);
  process.exit(3);
}
let binding;
try {
  binding = require(name);
} catch (err) {
  process.stderr.write(`chroma: cannot load ${name} (${err.message}); run npm install, or set CHROMA_URL\n`);
  process.exit(3);
}
binding.cli(['chroma', 'run', ...args]);
// The server returned: it could not start (e.g. the port is taken). Pickle decides what next.
process.exit(4);

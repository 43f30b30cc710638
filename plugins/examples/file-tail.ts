/**
 * Example input plugin: every line appended to a text file becomes a chat line for Pickle.
 * Handy for a chat bridge that writes to a file, a "questions" file a mod edits, or rehearsal.
 *
 *   PLUGINS=./plugins/examples/file-tail.ts
 *   PLUGIN_FILE_TAIL_PATH=/home/me/stream/questions.txt   the file (required)
 *   PLUGIN_FILE_TAIL_USER=mods          who the lines are from when a line has no "name: " prefix
 *   PLUGIN_FILE_TAIL_FROM_START=true    also read what the file holds at start (default: only new lines)
 *   PLUGIN_FILE_TAIL_INTERVAL_MS=500    how often the file is checked
 *
 * A line "sam: pickle what's up?" is from sam; other lines are from PLUGIN_FILE_TAIL_USER.
 * The file may not exist yet (the plugin waits for it), be truncated or replaced (it starts over).
 * Polling instead of fs.watch: it behaves the same on every OS and on network drives.
 */
import { open, stat } from 'node:fs/promises';
import { definePlugin, type PluginContext } from '../../src/plugins/types.ts';

const MAX_READ = 64 * 1024;
const MAX_LINE_BYTES = 4 * 1024;

export function parseLine(line: string, fallbackUser: string): { user: string; text: string } | undefined {
  const text = line.replace(/\r$/, '').trim();
  if (text === '') return undefined;
  const m = /^([\p{L}\p{N}_][\p{L}\p{N}_ .-]{0,24}):\s+(.+)$/u.exec(text);
  return m ? { user: m[1]!.trim(), text: m[2]!.trim() } : { user: fallbackUser, text };
}

export default definePlugin({
  name: 'file-tail',
  description: 'reads lines appended to a text file as chat',
  start(ctx: PluginContext) {
    const path = ctx.config.path;
    if (!path) {
      ctx.setStatus('disabled', 'no file to read', 'set PLUGIN_FILE_TAIL_PATH=/path/to/file.txt in .env');
      return;
    }
    const user = ctx.config.user || 'file';
    const interval = Math.max(50, Number(ctx.config.intervalMs) || 500);
    let offset: number | null = ctx.config.fromStart === 'true' ? 0 : null;
    let ino: number | null = null;
    let partial = Buffer.alloc(0);
    let busy = false;
    let waiting = false;

    const poll = async () => {
      if (busy) return;
      busy = true;
      try {
        let st;
        try {
          st = await stat(path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          if (!waiting) ctx.setStatus('degraded', `waiting for ${path} to exist`, 'create the file, or fix PLUGIN_FILE_TAIL_PATH');
          waiting = true;
          offset ??= 0; // a file created later is read from its start
          ino = null;
          return;
        }
        if (waiting || ino === null) {
          if (waiting || offset === null) ctx.setStatus('up', `reading ${path}`);
          waiting = false;
        }
        // Replaced (rotation) or truncated: start over.
        if ((ino !== null && st.ino !== ino) || (offset !== null && st.size < offset)) {
          offset = 0;
          partial = Buffer.alloc(0);
        }
        ino = st.ino;
        offset ??= st.size;
        if (st.size === offset) return;
        const fh = await open(path, 'r');
        try {
          const length = Math.min(st.size - offset, MAX_READ);
          const buf = Buffer.alloc(length);
          const { bytesRead } = await fh.read(buf, 0, length, offset);
          offset += bytesRead;
          let data = Buffer.concat([partial, buf.subarray(0, bytesRead)]);
          // Whole lines only; a line still being written waits for its newline (bytes, so UTF-8 is never cut).
          for (let nl = data.indexOf(0x0a); nl !== -1; nl = data.indexOf(0x0a)) {
            const parsed = parseLine(data.subarray(0, nl).toString('utf8'), user);
            data = data.subarray(nl + 1);
            if (parsed) ctx.emit(parsed);
          }
          partial = data.length > MAX_LINE_BYTES ? Buffer.alloc(0) : Buffer.from(data);
        } finally {
          await fh.close();
        }
      } finally {
        busy = false;
      }
    };

    ctx.setStatus('up', `reading ${path}`);
    // Guarded: an unexpected error (permissions…) stops this plugin and is reported, Pickle goes on.
    ctx.setInterval(poll, interval);
    ctx.setTimeout(poll, 0);
  },
});

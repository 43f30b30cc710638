/**
 * Example output plugin: POSTs Pickle's replies (or other events) as JSON to a URL, e.g. a local
 * automation server (Node-RED, Home Assistant, Streamer.bot's HTTP server) that flashes lights.
 *
 *   PLUGINS=./plugins/examples/webhook.ts
 *   PLUGIN_WEBHOOK_URL=http://127.0.0.1:1880/pickle      where to POST (required; http or https)
 *   PLUGIN_WEBHOOK_EVENTS=reply.spoken,voice.done         event types to send (default reply.spoken)
 *   PLUGIN_WEBHOOK_TOKEN=…                                sent as `Authorization: Bearer …` (optional)
 *   PLUGIN_WEBHOOK_TIMEOUT_MS=5000
 *
 * Body: the event as Pickle has it plus `sentAt`, e.g.
 *   {"type":"reply.spoken","replyId":"r3","text":"Welcome in!","emotion":"happy","ts":…,"sentAt":"…"}
 * One POST at a time, in order; at most 100 waiting (the oldest are dropped). A receiver that is
 * down or answers an error makes this plugin `degraded` on /health; Pickle is not affected.
 */
import { definePlugin, type PluginConfig, type PluginContext, type PluginEvent } from '../../src/plugins/types.ts';

const MAX_PENDING = 100;

const eventsOf = (config: PluginConfig) =>
  (config.events || 'reply.spoken')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as PluginEvent['type'][];

/** A factory: each load gets its own queue and state. */
export default function webhook() {
  let url: URL | undefined;
  let headers: Record<string, string> = {};
  let timeoutMs = 5000;
  let queue: PluginEvent[] = [];
  let sending = false;
  let failing = false;
  let dropped = 0;
  let sent = 0;

  async function drain(ctx: PluginContext): Promise<void> {
    const target = url;
    if (sending || !target) return;
    sending = true;
    try {
      for (let event = queue.shift(); event && !ctx.signal.aborted; event = queue.shift()) {
        try {
          const res = await fetch(target, {
            method: 'POST',
            headers,
            body: JSON.stringify({ ...event, sentAt: new Date().toISOString() }),
            signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          sent++;
          if (failing) ctx.setStatus('up', `posting to ${target.origin}`);
          failing = false;
        } catch (err) {
          if (ctx.signal.aborted) return;
          const why = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
          ctx.log.warn({ event: 'webhook.failed', type: event.type, err: why }, 'webhook POST failed');
          if (!failing) ctx.setStatus('degraded', `POST to ${target.origin} failed: ${why}`, 'start the receiver, or fix PLUGIN_WEBHOOK_URL');
          failing = true;
        }
      }
    } finally {
      sending = false;
    }
  }

  return definePlugin({
    name: 'webhook',
    description: 'POSTs replies as JSON to a URL',
    events: eventsOf,
    start(ctx) {
      queue = [];
      sending = false;
      failing = false;
      dropped = 0;
      sent = 0;
      url = undefined;
      if (!ctx.config.url) {
        ctx.setStatus('disabled', 'no URL to post to', 'set PLUGIN_WEBHOOK_URL=http://127.0.0.1:1880/pickle in .env');
        return;
      }
      let parsed: URL;
      try {
        parsed = new URL(ctx.config.url);
      } catch {
        ctx.setStatus('down', 'PLUGIN_WEBHOOK_URL is not a URL', 'set PLUGIN_WEBHOOK_URL=http://host:port/path');
        return;
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        ctx.setStatus('down', `PLUGIN_WEBHOOK_URL must be http or https (got ${parsed.protocol})`, 'use an http:// or https:// URL');
        return;
      }
      url = parsed;
      timeoutMs = Math.max(100, Number(ctx.config.timeoutMs) || 5000);
      headers = {
        'content-type': 'application/json',
        'user-agent': 'pickle-webhook',
        ...(ctx.config.token ? { authorization: `Bearer ${ctx.config.token}` } : {}),
      };
      ctx.setStatus('up', `posting ${eventsOf(ctx.config).join(', ')} to ${url.origin}`);
      return () => {
        ctx.log.info({ event: 'webhook.stopped', sent, dropped }, 'webhook stopped');
        url = undefined;
        queue = [];
      };
    },
    onEvent(event, ctx) {
      if (!url) return;
      queue.push(event);
      if (queue.length > MAX_PENDING) {
        queue.shift();
        dropped++;
      }
      // Not awaited: the next event must not wait for a slow receiver. Guarded: a bug in here stops the plugin, not Pickle.
      ctx.guard(drain)(ctx);
    },
  });
}

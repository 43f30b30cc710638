import { parse as parseShell } from 'shell-quote';
import { z } from 'zod';
import { maskUrls } from '../security/maskUrl.ts';

/** How each kind of setting is read from the environment: its default, its range, and the one line that names it when it is malformed. */

export const bool = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const s = v.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: `expected true or false (got "${v}")` });
      return z.NEVER;
    });

export const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

export const url = (def?: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = v && v.trim() !== '' ? v.trim() : def;
      if (s === undefined) return undefined;
      try {
        const u = new URL(s);
        return u.toString().replace(/\/$/, '');
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected a URL like http://127.0.0.1:1234 (got "${maskUrls(v ?? '')}")` });
        return z.NEVER;
      }
    });

export const port = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return 8000;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      ctx.addIssue({ code: 'custom', message: `expected a port number 0-65535 (got "${v}")` });
      return z.NEVER;
    }
    return n;
  });

export const channel = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    const s = v.trim().replace(/^#/, '').toLowerCase();
    if (!/^[a-z0-9_]{2,25}$/.test(s)) {
      ctx.addIssue({ code: 'custom', message: `expected a Twitch channel name like "mystreamer" (got "${v}")` });
      return z.NEVER;
    }
    return s;
  });

export const name = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return 'default';
    if (!/^[a-z0-9_-]+$/i.test(v.trim())) {
      ctx.addIssue({ code: 'custom', message: `expected a persona file name from personas/ (got "${v}")` });
      return z.NEVER;
    }
    return v.trim();
  });

export const logLevel = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const s = (v ?? '').trim().toLowerCase() || 'info';
    if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(s)) {
      ctx.addIssue({ code: 'custom', message: `expected one of fatal, error, warn, info, debug, trace, silent (got "${v}")` });
      return z.NEVER;
    }
    return s;
  });

export const token = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim().replace(/^oauth:/i, '') : undefined));

export const botList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? 'streamelements,nightbot,streamlabs,moobot,fossabot')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );

export const seconds = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v);
      if (!Number.isFinite(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected seconds between ${min} and ${max} (got "${v}")` });
        return z.NEVER;
      }
      return n;
    });

export const llmBackend = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const s = (v ?? '').trim().toLowerCase() || 'ollama';
    if (s !== 'ollama' && s !== 'openai') {
      ctx.addIssue({ code: 'custom', message: `expected ollama or openai (got "${v}")` });
      return z.NEVER;
    }
    return s as 'ollama' | 'openai';
  });

export const tokenCount = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 512 || n > 10_000_000) {
      ctx.addIssue({ code: 'custom', message: `expected a whole number of tokens, at least 512 (got "${v}")` });
      return z.NEVER;
    }
    return n;
  });

export const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** A ws:// or wss:// address; empty stays unset (the OBS adapter supplies the default). */
export const wsUrl = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    try {
      const u = new URL(v.trim());
      if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error('scheme');
      return u.toString().replace(/\/$/, '');
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected a WebSocket URL like ws://127.0.0.1:4455 (got "${maskUrls(v)}")` });
      return z.NEVER;
    }
  });

export const fraction = (def: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0 || n > 1) {
        ctx.addIssue({ code: 'custom', message: `expected a number above 0 and at most 1 (got "${v}")` });
        return z.NEVER;
      }
      return n;
    });

export const wholeNumber = (def: number, min: number, max: number, unit: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected ${unit} from ${min} to ${max} (got "${v}")` });
        return z.NEVER;
      }
      return n;
    });

export const moderationMode = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const s = (v ?? '').trim().toLowerCase() || 'off';
    if (s !== 'off' && s !== 'transformers' && s !== 'ollama') {
      ctx.addIssue({ code: 'custom', message: `expected off, transformers or ollama (got "${v}")` });
      return z.NEVER;
    }
    return s as 'off' | 'transformers' | 'ollama';
  });

/** A shell-like list of switches (`--a --b="x y"`); pipes, redirections and globs are refused. */
export const argList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return [];
    const parts = parseShell(v, (name) => `$${name}`);
    // shell-quote forgives an unclosed quote; a switch list should not.
    const quotes = v.replace(/\\./g, '').replace(/"[^"]*"|'[^']*'/g, '');
    if (/["']/.test(quotes) || !parts.every((p): p is string => typeof p === 'string' && p.startsWith('-'))) {
      ctx.addIssue({ code: 'custom', message: `expected browser switches like --use-fake-device-for-media-stream --lang=en (got "${v}")` });
      return z.NEVER;
    }
    return parts;
  });

/** Metres, 0.2–20; empty stays unset. */
export const optionalDistance = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0.2 || n > 20) {
      ctx.addIssue({ code: 'custom', message: `expected metres between 0.2 and 20 (got "${v}")` });
      return z.NEVER;
    }
    return n;
  });

export const choice = <T extends string>(values: readonly T[], def: T) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = (v ?? '').trim().toLowerCase() || def;
      if (!(values as readonly string[]).includes(s)) {
        ctx.addIssue({ code: 'custom', message: `expected ${values.join(' or ')} (got "${v}")` });
        return z.NEVER;
      }
      return s as T;
    });

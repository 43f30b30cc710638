/**
 * The REST API: settings, rehearsal chat, control. Write protection (origin, host,
 * token) is applied before this router; here requests are validated and handed on.
 */
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import {
  PersonaPatchSchema,
  SensesPatchSchema,
  SettingsValidationError,
  VoicePatchSchema,
  zodFields,
  type SettingsPatch,
  type SettingsStore,
} from '../config/settings.ts';
import { errorText } from '../errors.ts';

export type ControlCommand = 'skip' | 'mute' | 'unmute';
export const CONTROL_COMMANDS: readonly ControlCommand[] = ['skip', 'mute', 'unmute'];

export interface ApiDeps {
  settings: SettingsStore;
  personas: () => string[];
  onChat: (msg: { user: string; text: string }) => void;
  onControl: (cmd: ControlCommand) => void;
}

const ChatBodySchema = z.strictObject({
  user: z
    .string()
    .regex(/^\w{1,25}$/, 'a Twitch-style login: 1-25 letters, digits or "_"')
    .default('streamer'),
  text: z.string().trim().min(1).max(500),
});

function invalid(res: Response, fields: Record<string, string>): void {
  res.status(400).json({ error: 'invalid settings', fields });
}

/** Field paths in the 400 answer are relative to the body that was sent (`speed`, not `voice.speed`). */
function relativeFields(fields: Record<string, string>, section: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[k.startsWith(`${section}.`) ? k.slice(section.length + 1) : k] = v;
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function apiRouter(deps: ApiDeps): express.Router {
  const r = express.Router();

  r.get('/settings', (_req, res) => {
    res.json(deps.settings.get());
  });

  for (const section of ['voice', 'persona', 'senses'] as const) {
    const schema = section === 'voice' ? VoicePatchSchema : section === 'senses' ? SensesPatchSchema : PersonaPatchSchema;
    r.get(`/settings/${section}`, (_req, res) => {
      res.json(deps.settings.get()[section]);
    });
    r.put(`/settings/${section}`, (req: Request, res: Response) => {
      if (!isPlainObject(req.body)) return invalid(res, { '': 'expected a JSON object (Content-Type: application/json)' });
      const parsed = schema.safeParse(req.body);
      if (!parsed.success) return invalid(res, zodFields(parsed.error));
      if (section === 'persona' && 'name' in parsed.data && typeof parsed.data.name === 'string') {
        const known = deps.personas();
        if (!known.includes(parsed.data.name)) {
          return invalid(res, { name: `unknown persona; available: ${known.join(', ') || '(none)'}` });
        }
      }
      try {
        const next = deps.settings.update({ [section]: parsed.data } as SettingsPatch);
        res.json(next[section]);
      } catch (err) {
        if (err instanceof SettingsValidationError) return invalid(res, relativeFields(err.fields, section));
        // The file could not be written (read-only disk, full disk, a directory in its place): nothing changed.
        res.status(503).json({ error: `settings not saved: ${errorText(err)}`, fix: 'make PICKLE_DATA_DIR/settings.json writable' });
      }
    });
  }

  r.post('/chat', (req, res) => {
    if (!isPlainObject(req.body)) {
      res.status(400).json({ error: 'invalid chat message', fields: { '': 'expected a JSON object' } });
      return;
    }
    const parsed = ChatBodySchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid chat message', fields: zodFields(parsed.error) });
      return;
    }
    deps.onChat({ user: parsed.data.user, text: parsed.data.text });
    res.status(202).json({ accepted: true });
  });

  r.post('/control/:cmd', (req, res, next) => {
    const cmd = req.params['cmd'] as ControlCommand;
    if (!CONTROL_COMMANDS.includes(cmd)) return next();
    deps.onControl(cmd);
    res.status(202).json({ accepted: true, command: cmd });
  });

  return r;
}

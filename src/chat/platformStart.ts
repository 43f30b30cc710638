/** What an extra chat platform's start (src/youtube/start.ts, src/kick/start.ts) is given by the app. */
import type { InputEvent } from '../../machines/events.ts';
import type { ChildHost } from '../children.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../log.ts';
import type { StatusBoard } from '../status.ts';

export interface PlatformStartOptions {
  env: Env;
  status: StatusBoard;
  log: Logger;
  /** The platform's facts (chat lines, removals, stream events) into Pickle. */
  send: (event: InputEvent) => void;
  children: ChildHost;
  /** PICKLE_DATA_DIR: what the platform keeps between starts (refreshed tokens, the day's quota). */
  dataDir: string;
}

import { EventEmitter } from 'node:events';
import type { ServiceName, ServiceState } from '../machines/events.ts';

export interface ServiceStatus {
  service: ServiceName;
  state: ServiceState;
  /** Human line for the streamer: what is wrong / what it does now. */
  detail: string;
  /** The exact step that fixes it, when there is one (e.g. "run `ollama pull phi3.5`"). */
  fix?: string;
  lastError?: string;
  /**
   * `false` when the service is an optional feature the streamer has not set up (no key, no
   * channel, turned off in .env): that is a choice, shown as a grey `off`, not a fault. Absent
   * otherwise, so a `disabled` or `degraded` without it is something configured that does not work.
   */
  configured?: false;
  /** What kind of failure a `down` is (src/errors.ts: auth, rate-limited, retryable, fatal), when the service knows. */
  fault?: string;
  /** ms since epoch of the last change. */
  since: number;
}

/**
 * Live status of every service, shown on /health, the panel and the console.
 * Adapters call `set`; listeners get one 'change' per actual change.
 */
export class StatusBoard extends EventEmitter<{ change: [ServiceStatus] }> {
  private readonly entries = new Map<ServiceName, ServiceStatus>();
  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  set(service: ServiceName, state: ServiceState, detail: string, extra: { fix?: string; lastError?: string; configured?: boolean; fault?: string } = {}): void {
    const prev = this.entries.get(service);
    const next: ServiceStatus = {
      service,
      state,
      detail,
      ...(extra.fix ? { fix: extra.fix } : {}),
      ...(extra.fault ? { fault: extra.fault } : {}),
      ...((extra.lastError ?? prev?.lastError) ? { lastError: extra.lastError ?? prev?.lastError } : {}),
      ...(extra.configured === false ? { configured: false as const } : {}),
      since: prev && prev.state === state && prev.detail === detail ? prev.since : this.now(),
    };
    if (prev && prev.state === next.state && prev.detail === next.detail && prev.fix === next.fix && prev.configured === next.configured) return;
    this.entries.set(service, next);
    this.emit('change', next);
  }

  get(service: ServiceName): ServiceStatus | undefined {
    return this.entries.get(service);
  }

  all(): ServiceStatus[] {
    return [...this.entries.values()];
  }
}

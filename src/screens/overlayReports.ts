/**
 * What each connected overlay says it shows (the model from its VRM meta and the VRM version, or
 * the built-in face; frames per second; the expression with the most weight), validated field by
 * field because a page's message is untrusted. Keyed by socket; a page that leaves is forgotten.
 */
import { VRM_EXPRESSIONS, type VrmExpression } from '../../machines/events.ts';
import type { AvatarReportPayload } from './payloads.ts';

export interface OverlayReport {
  /** A short id for the page (its socket's first characters). */
  overlay: string;
  model: string | null;
  version: '1.0' | '0.x' | null;
  fps: number;
  expression: VrmExpression;
  /** Why the model did not load on this page (it shows the built-in face). */
  error?: string;
}

export function readReport(msg: unknown): AvatarReportPayload | undefined {
  if (!msg || typeof msg !== 'object') return undefined;
  const m = msg as Record<string, unknown>;
  const model = typeof m['model'] === 'string' ? m['model'].trim().slice(0, 80) : null;
  const version = m['version'] === '1.0' || m['version'] === '0.x' ? m['version'] : null;
  const fps = typeof m['fps'] === 'number' && Number.isFinite(m['fps']) ? Math.max(0, Math.min(1000, Math.round(m['fps']))) : 0;
  const expression = (VRM_EXPRESSIONS as readonly unknown[]).includes(m['expression']) ? (m['expression'] as VrmExpression) : 'neutral';
  return { model, version, fps, expression };
}

export function readError(msg: unknown): string | undefined {
  const reason = msg && typeof msg === 'object' ? (msg as Record<string, unknown>)['reason'] : undefined;
  return typeof reason === 'string' && reason.trim() ? reason.trim().replace(/\s+/g, ' ').slice(0, 200) : undefined;
}

export class OverlayReports {
  private readonly byPage = new Map<string, OverlayReport>();

  report(page: string, r: AvatarReportPayload): void {
    this.byPage.set(page, { overlay: page.slice(0, 6), ...r });
  }
  error(page: string, reason: string): void {
    const was = this.byPage.get(page);
    this.byPage.set(page, { overlay: page.slice(0, 6), model: null, version: null, fps: was?.fps ?? 0, expression: 'neutral', error: reason });
  }
  leave(page: string): void {
    this.byPage.delete(page);
  }
  all(): OverlayReport[] {
    return [...this.byPage.values()];
  }
  /** Overlays showing a model now. */
  modelsShown(): number {
    return this.all().filter((r) => r.model !== null).length;
  }
}

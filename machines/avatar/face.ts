/**
 * The face's arithmetic, pure: which VRM expressions an emotion becomes (capped: full weight looks
 * manic, peers settled around 0.7–0.8), how long each blend takes, and when the eyes blink and
 * move, from random numbers an adapter draws (`avatar.noise`).
 */
import { VRM_EXPRESSIONS, type Emotion, type ExpressionWeights, type VrmExpression } from '../events.ts';

/** No expression goes above this weight. */
export const EXPRESSION_CAP = 0.75;
/** A new sentence's face blends in over this long; the face relaxes back to neutral more slowly. */
export const EASE_MS = { sentence: 350, rest: 900 } as const;
export const BLINK_MS = 140;

/** Pickle's emotions as mixes of the VRM presets, before the cap. */
const BLENDS: Record<Emotion, Partial<Record<VrmExpression, number>>> = {
  neutral: { neutral: 1 },
  happy: { happy: 1 },
  excited: { happy: 0.85, surprised: 0.35 },
  laughing: { happy: 1 },
  surprised: { surprised: 1 },
  thinking: { relaxed: 0.35, neutral: 0.6 },
  confused: { sad: 0.3, surprised: 0.45 },
  sad: { sad: 1 },
  angry: { angry: 1 },
  smug: { happy: 0.45, relaxed: 0.6 },
};

export function expressionOf(emotion: Emotion): ExpressionWeights {
  const blend = BLENDS[emotion];
  const out = {} as ExpressionWeights;
  for (const name of VRM_EXPRESSIONS) out[name] = Math.min(EXPRESSION_CAP, blend[name] ?? 0);
  return out;
}

/** The expression with the most weight ('neutral' when none has any). */
export function strongest(weights: ExpressionWeights): VrmExpression {
  let best: VrmExpression = 'neutral';
  for (const name of VRM_EXPRESSIONS) if (weights[name] > weights[best]) best = name;
  return best;
}

/** 2–6 s between blinks (people blink every 2–10 s; a little more often reads as alive on stream). */
export const blinkDelayMs = (r: number) => Math.round(2000 + clamp01(r) * 4000);
/** 0.6–3 s between small eye movements. */
export const saccadeDelayMs = (r: number) => Math.round(600 + clamp01(r) * 2400);
/** Small movements around the camera: ±3° across, ±2° up and down. */
export const gazeOf = (yaw: number, pitch: number) => ({ yaw: round1((clamp01(yaw) - 0.5) * 6), pitch: round1((clamp01(pitch) - 0.5) * 4) });

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0.5;
}
function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

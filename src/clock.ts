import { service, type RecallMemoriesService } from '../machines/services.ts';
import type { RecallEvent } from '../machines/events.ts';
import type { RecallInput } from '../machines/brain/recall.ts';

/**
 * The clock the adapters stamp their facts with (`ts`, ms since the epoch): monotonic within a
 * run, so a reply's stages measured from these stamps never jump with the system clock.
 */
export const wallClock = (): number => performance.timeOrigin + performance.now();

/** Without long-term memory: the recall answers at once with nothing, stamped (the reply's start). */
export const recallNothing: RecallMemoriesService = service<RecallInput, RecallEvent>(({ sendBack }) => {
  sendBack({ type: 'memory.recalled', memories: [], ts: wallClock() });
});

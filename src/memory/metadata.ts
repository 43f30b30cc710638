/**
 * A memory as Chroma holds it: the record's fields as metadata, and back. Provenance (speaker,
 * whom it is about, hearsay) travels with it, so the panel and the prompt can show who said it.
 */
import type { Metadata } from 'chromadb';
import type { RecalledMemory } from '../../machines/events.ts';
import { aboutKey } from '../../machines/memory/provenance.ts';
import { viewerOfRecord, type MemoryRecord } from '../../machines/memory/rules.ts';


/** A metadata field as text: Chroma stores strings, numbers and booleans only. */
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

export interface StoredMemory extends RecalledMemory {
  displayName: string;
  persona: string;
  fact: boolean;
  speaker?: string;
}

export function toMetadata(r: MemoryRecord): Metadata {
  return {
    user: r.user,
    displayName: r.displayName,
    source: r.source,
    ts: r.ts,
    persona: r.persona,
    fact: r.fact,
    // One key for "facts of this viewer" (`platform:login`): a single-key filter is what Chroma
    // answers fast. Records stored before Pickle read more than one platform hold the bare
    // login here, and are Twitch's (`viewerOfRecord`).
    ...(r.fact ? { factUser: viewerOfRecord(r) } : {}),
    ...(r.messageId ? { messageId: r.messageId } : {}),
    ...(r.speaker ? { speaker: r.speaker } : {}),
    // Shown as is; one boolean key per login so a delete can filter on it.
    ...(r.about?.length ? { about: r.about.join(' '), ...Object.fromEntries(r.about.map((a) => [aboutKey(a), true])) } : {}),
    ...(r.hearsay ? { hearsay: true } : {}),
  };
}

export function fromRow(id: string, document: string | null | undefined, meta: Metadata | null | undefined, distance?: number | null): StoredMemory {
  const m = (meta ?? {}) as Record<string, unknown>;
  return {
    id,
    text: document ?? '',
    user: text(m.user),
    displayName: text(m.displayName ?? m.user),
    source: (m.source as StoredMemory['source']) ?? 'chat',
    ts: Number(m.ts ?? 0),
    persona: text(m.persona),
    fact: m.fact === true,
    ...(typeof m.messageId === 'string' ? { messageId: m.messageId } : {}),
    ...(typeof m.speaker === 'string' ? { speaker: m.speaker } : {}),
    ...(typeof m.about === 'string' && m.about ? { about: m.about.split(' ') } : {}),
    ...(m.hearsay === true ? { hearsay: true } : {}),
    // Chroma's cosine space: distance = 1 − cosine similarity, so relevance = 1 − distance.
    ...(typeof distance === 'number' ? { relevance: Math.round((1 - distance) * 1000) / 1000 } : {}),
  };
}

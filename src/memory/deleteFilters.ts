import type { Where } from 'chromadb';
import { aboutKey } from '../../machines/memory/provenance.ts';
import type { MemoryOp } from '../../machines/memory/rules.ts';

/** A delete op as Chroma calls. Viewer deletes touch chat lines only (a login may look like `streamer`). */
export function deleteFilters(op: Extract<MemoryOp, { op: 'delete' }>): Array<{ ids?: string[]; where?: Where }> {
  const out: Array<{ ids?: string[]; where?: Where }> = [];
  if (op.ids?.length) out.push({ ids: op.ids });
  if (op.messageIds?.length) out.push({ where: { messageId: op.messageIds.length === 1 ? op.messageIds[0]! : { $in: op.messageIds } } });
  if (op.users?.length) out.push({ where: { $and: [{ user: op.users.length === 1 ? op.users[0]! : { $in: op.users } }, { source: 'chat' }] } });
  if (op.speakers?.length) out.push({ where: { $and: [{ speaker: op.speakers.length === 1 ? op.speakers[0]! : { $in: op.speakers } }, { source: 'chat' }] } });
  for (const login of op.about ?? []) out.push({ where: { [aboutKey(login)]: true } });
  return out;
}

import { describe, expect, it } from 'vitest';
import { noteAnswered, offer, QUEUE_SIZE, RANK, rankOfChat, RECENTLY_ANSWERED_MS, takeNext, type Slotted } from '../../machines/brain/addressed.ts';
import { addLines, asksForRecap, boundTokens, DIGEST_MAX_LINES, DIGEST_WINDOW_MS, digestOf, forgetLines, type DigestLine } from '../../machines/brain/digest.ts';
import { estimateTokens } from '../../machines/brain/budget.ts';

const entry = (key: string, rank: number, seq: number): Slotted<string> => ({ key, id: `${key}-${seq}`, rank, seq, item: key });

describe('addressed queue (pure)', () => {
  it('orders by rank, then first come first served', () => {
    let q: Slotted<string>[] = [];
    for (const e of [entry('a', RANK.waiting, 1), entry('b', RANK.mod, 2), entry('c', RANK.waiting, 3), entry('s', RANK.streamer, 4)]) q = offer(q, e).queue;
    const order: string[] = [];
    while (q.length) {
      const r = takeNext(q);
      order.push(r.next!.key);
      q = r.queue;
    }
    expect(order).toEqual(['s', 'b', 'a', 'c']);
  });

  it('a replaced slot keeps its place in line', () => {
    let q = offer([], entry('a', RANK.waiting, 1)).queue;
    q = offer(q, entry('b', RANK.waiting, 2)).queue;
    const r = offer(q, entry('a', RANK.waiting, 3));
    expect(r.dropped).toEqual([{ entry: entry('a', RANK.waiting, 1), reason: 'replaced' }]);
    expect(takeNext(r.queue).next).toMatchObject({ id: 'a-3', seq: 1 });
  });

  it('full: an equal rank is turned away, a higher rank bumps the last in line', () => {
    let q: Slotted<string>[] = [];
    for (let i = 0; i < QUEUE_SIZE; i++) q = offer(q, entry(`v${i}`, RANK.waiting, i)).queue;
    const same = offer(q, entry('late', RANK.waiting, 9));
    expect(same).toMatchObject({ accepted: false, dropped: [{ reason: 'queue-full' }] });
    expect(same.dropped[0]!.entry.key).toBe('late');
    const mod = offer(q, entry('mod', RANK.mod, 10));
    expect(mod.accepted).toBe(true);
    expect(mod.dropped[0]!.entry.key).toBe(`v${QUEUE_SIZE - 1}`);
    expect(mod.queue).toHaveLength(QUEUE_SIZE);
  });

  it('ranks a chat line: redemption > mod > waiting > answered lately', () => {
    expect(rankOfChat({ role: 'viewer', ts: 10, redemption: { id: 'r', rewardId: 'w', rewardTitle: 't' } }, 5)).toBe(RANK.redemption);
    expect(rankOfChat({ role: 'moderator', ts: 10 }, 5)).toBe(RANK.mod);
    expect(rankOfChat({ role: 'viewer', ts: RECENTLY_ANSWERED_MS + 5 }, 5)).toBe(RANK.waiting);
    expect(rankOfChat({ role: 'viewer', ts: RECENTLY_ANSWERED_MS + 4 }, 5)).toBe(RANK.answered);
    expect(noteAnswered({ old: 0, recent: RECENTLY_ANSWERED_MS }, 'new', RECENTLY_ANSWERED_MS + 1)).toEqual({ recent: RECENTLY_ANSWERED_MS, new: RECENTLY_ANSWERED_MS + 1 });
  });
});

const l = (user: string, text: string, ts: number): DigestLine => ({ id: `${user}-${ts}`, user, platform: 'twitch', displayName: user, text, ts });

describe('chat digest (pure)', () => {
  it('keeps the last 10 minutes, at most DIGEST_MAX_LINES lines', () => {
    const log = addLines([l('a', 'old', 0)], [l('b', 'new', DIGEST_WINDOW_MS + 1)]);
    expect(log.map((x) => x.text)).toEqual(['new']);
    const flood = addLines([], Array.from({ length: DIGEST_MAX_LINES + 50 }, (_, i) => l(`u${i}`, `line ${i}`, i)));
    expect(flood).toHaveLength(DIGEST_MAX_LINES);
    expect(flood[0]!.text).toBe('line 50');
  });

  it('an LLM summary goes first, followed by the plain digest of what came after it', () => {
    const log = [l('a', 'tacos are great', 1), l('b', 'tacos forever', 2), l('c', 'where is the bus?', 3)];
    const d = digestOf(log, { summary: { text: 'Chat loves tacos.', upTo: 2 } });
    expect(d.source).toBe('llm');
    expect(d.text).toBe('Chat loves tacos. Since then: 1 message from 1 viewer over 1 min. Asked: c: "where is the bus?".');
    expect(digestOf(log).source).toBe('plain');
    expect(digestOf([]).text).toBe('Chat has been quiet.');
  });

  it('is bounded in tokens however much chat asked', () => {
    const log = Array.from({ length: 400 }, (_, i) => l(`user${i}`, `question number ${i} about something long and winding ${'x'.repeat(60)}?`, i));
    const d = digestOf(log, { maxTokens: 120 });
    expect(estimateTokens(d.text)).toBeLessThanOrEqual(120);
    expect(estimateTokens(boundTokens('word '.repeat(2000), 50))).toBeLessThanOrEqual(50);
  });

  it('moderated lines leave it; asking for a recap is recognised', () => {
    const log = [l('a', 'hi', 1), l('troll', 'bad', 2)];
    expect(forgetLines(log, { platform: 'twitch', messageIds: [], users: ['twitch:troll'], all: false })).toHaveLength(1);
    expect(forgetLines(log, { platform: 'twitch', messageIds: [], users: [], all: true })).toHaveLength(0);
    for (const yes of ['Pickle, what did chat say?', "what's chat talking about pickle", 'pickle what did I miss', 'what has chat been saying']) expect(asksForRecap(yes)).toBe(true);
    for (const no of ['pickle say hi to chat', 'what did you eat?', 'chat is wild']) expect(asksForRecap(no)).toBe(false);
  });
});

/**
 * A synthetic but realistic IRL-stream chat log for the conversation bench: ~45 regulars and a
 * few mods, greetings, emotes, backseating, questions about the place, replies to each other,
 * now and then a line to Pickle. Arrival times follow a Poisson process whose rate drifts
 * between quiet stretches and bursts. Seeded, so two runs replay the same log.
 */

export interface LogLine {
  /** Milliseconds from the start of the replay. */
  at: number;
  user: string;
  text: string;
  mod: boolean;
  /** Speaks to Pickle by name. */
  mention: boolean;
}

/** mulberry32: a small seeded PRNG (the bench must replay the same chat every run). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ADJ = ['mossy', 'quiet', 'salty', 'lucky', 'sleepy', 'rusty', 'fuzzy', 'brave', 'tiny', 'loud', 'cosmic', 'spicy', 'lazy', 'rapid', 'misty'];
const NOUN = ['fern', 'otter', 'noodle', 'falcon', 'teapot', 'walrus', 'pixel', 'badger', 'comet', 'mango', 'gecko', 'biscuit', 'raven', 'tofu', 'yeti'];

const GREET = ['hi chat', 'yo', 'hello from brazil', 'just got here what did i miss', 'evening everyone', 'hey hey', 'back from work, hi all', 'good morning from australia lol'];
const EMOTE = ['LUL', 'KEKW', 'PogChamp', 'catJAM', 'Kappa', 'monkaS', 'LUL LUL', 'OMEGALUL', '<3', 'PepeHands', 'EZ Clap'];
const COMMENT = [
  'that street looks so clean',
  'the view is insane',
  'ramen time',
  'those lanterns are beautiful',
  'the crowd here is wild',
  'i want to visit so bad',
  'audio is a bit quiet',
  'the camera is so smooth today',
  'that dog is adorable',
  'vending machines everywhere lol',
  'this city never sleeps',
  'the food stalls look amazing',
  'best irl stream on the site',
  'the music in that shop slaps',
];
const QUESTION = [
  'where are you right now?',
  'what time is it there?',
  'is it cold outside?',
  'what are you eating later?',
  'how long is the stream today?',
  'did you try the takoyaki?',
  'is that a temple?',
  'how much was the train ticket?',
];
const BACKSEAT = ['go left', 'check that shop!', 'turn around, there was a cat', 'go into the arcade', 'ask them for a picture', 'cross the street'];
const TO_PICKLE = [
  'pickle do you like ramen?',
  '@Pickle say hi to my mom',
  'pickle what is your favourite city?',
  'pickle are you awake',
  '@pickle rate this street out of ten',
  'pickle tell us a fun fact',
  'Pickle what should we eat next?',
  'pickle do you dream?',
];

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

export function viewers(rand: () => number, n = 45): Array<{ user: string; mod: boolean }> {
  const out: Array<{ user: string; mod: boolean }> = [];
  const seen = new Set<string>();
  while (out.length < n) {
    const user = `${pick(rand, ADJ)}_${pick(rand, NOUN)}${Math.floor(rand() * 90 + 10)}`;
    if (seen.has(user)) continue;
    seen.add(user);
    out.push({ user, mod: out.length < 3 });
  }
  return out;
}

/** A line to Pickle from a viewer (the bench injects these while Pickle is busy). */
export const mentionText = (rand: () => number) => pick(rand, TO_PICKLE);

export function chatLog(seconds: number, seed = 42): LogLine[] {
  const rand = seeded(seed);
  const people = viewers(rand);
  // The regulars talk more than the lurkers (a Zipf-like weight).
  const weights = people.map((_, i) => 1 / (i + 1) ** 0.8);
  const total = weights.reduce((a, b) => a + b, 0);
  const who = () => {
    let r = rand() * total;
    for (let i = 0; i < people.length; i++) if ((r -= weights[i]!) <= 0) return people[i]!;
    return people[people.length - 1]!;
  };
  const lines: LogLine[] = [];
  let t = 0;
  const end = seconds * 1000;
  while (t < end) {
    // The rate drifts: quiet stretches (~0.5 lines/s) and bursts (~3 lines/s) in a 40 s wave.
    const rate = 1.6 + 1.3 * Math.sin((t / 40_000) * 2 * Math.PI);
    t += (-Math.log(1 - rand()) / Math.max(0.4, rate)) * 1000;
    if (t >= end) break;
    const p = who();
    const roll = rand();
    let text: string;
    let mention = false;
    if (roll < 0.04) {
      text = pick(rand, TO_PICKLE);
      mention = true;
    } else if (roll < 0.14) text = pick(rand, GREET);
    else if (roll < 0.36) text = pick(rand, EMOTE);
    else if (roll < 0.62) text = pick(rand, COMMENT);
    else if (roll < 0.78) text = pick(rand, QUESTION);
    else if (roll < 0.9) text = pick(rand, BACKSEAT);
    else text = `@${who().user} ${pick(rand, ['same lol', 'true', 'no way', 'haha yes', 'agreed'])}`;
    lines.push({ at: Math.round(t), user: p.user, text, mod: p.mod, mention });
  }
  return lines;
}

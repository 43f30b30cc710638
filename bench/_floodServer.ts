import { startKickStandin } from '../test/standins/kick.ts';
import { startTwitchIrcStandin } from '../test/standins/twitchIrc.ts';
import { startYoutubeStandin } from '../test/standins/youtubeApi.ts';

/**
 * The chat-flood's chat side, in its own process so that building and sending 2,000 lines/s
 * does not count against Pickle's event loop. Talks to the bench over IPC. With `multi`, YouTube
 * (Data API stand-in, polled by Pickle) and Kick (Pusher stand-in) take their share of the lines:
 * line n goes to Twitch, YouTube or Kick by n mod 3.
 */
const multi = process.argv.includes('multi');
const irc = await startTwitchIrcStandin();
const yt = multi ? await startYoutubeStandin({ pollingIntervalMillis: 500 }) : undefined;
const kick = multi ? await startKickStandin() : undefined;
const send = (m: unknown) => process.send?.(m);
send({
  type: 'ready',
  url: irc.url,
  ...(yt && kick ? { youtube: { url: yt.url, apiKey: yt.apiKey, videoId: yt.videoId }, kick: { slug: kick.slug, apiUrl: kick.apiUrl, pusherUrl: kick.pusherUrl } } : {}),
});

const WORDS = ['lol', 'nice', 'where are we', 'that dog', 'W', 'LUL', 'hello chat', 'first time here', 'what song is this', 'pog', 'the food looks good', 'go left'];

process.on('message', async (msg: { type: string; channel: string; rate: number; seconds: number; mentionAt: number; name: string }) => {
  if (msg.type === 'waitJoin') {
    await irc.waitFor(() => irc.joined.includes(msg.channel), 10_000, 'join');
    send({ type: 'joined' });
  }
  if (msg.type === 'flood') {
    const tickMs = 50;
    const perTick = Math.round((msg.rate * tickMs) / 1000);
    const ticks = Math.round((msg.seconds * 1000) / tickMs);
    let sent = 0;
    const start = Date.now();
    for (let t = 0; t < ticks; t++) {
      const lines: string[] = [];
      for (let i = 0; i < perTick; i++) {
        const n = sent + i;
        const user = `viewer${n % 5000}`;
        const text = `${WORDS[n % WORDS.length]} ${n % 7 === 0 ? '' : n}`.trim();
        if (yt && kick && n % 3 === 1) yt.say({ channelId: `UC${user}`, displayName: user }, text);
        else if (yt && kick && n % 3 === 2) kick.message({ username: user }, text);
        else lines.push(irc.buildPrivmsg(msg.channel, { user, text }));
      }
      irc.broadcast(lines, { perFrame: 50 });
      sent += perTick;
      if (t === Math.round(ticks * msg.mentionAt)) {
        const id = irc.say(msg.channel, { user: 'sam', displayName: 'Sam', text: `hey @${msg.name} are you keeping up with this chat?` });
        send({ type: 'mention', id, at: Date.now() });
      }
      const due = start + (t + 1) * tickMs;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    send({ type: 'flooded', sent: sent + 1, ms: Date.now() - start });
  }
  if (msg.type === 'close') {
    await irc.close();
    await yt?.close();
    await kick?.close();
    process.exit(0);
  }
});

/**
 * The context budget in a running Pickle: fitted to the context the server reports (Ollama's
 * /api/ps, an OpenAI-compatible server's /models), or CONTEXT_TOKENS (sent to Ollama as num_ctx);
 * each reply's prompt size reaches the panel; a small context never gets a prompt it would cut.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { CHANNEL, startRig, type Rig } from './harness.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

async function panelPrompts(r: Rig) {
  const panel = io(`${r.pickle.url}/panel`, { transports: ['websocket'] });
  const prompts: Array<{ replyId: string; tokens: number; budget: number }> = [];
  const replies: Array<{ text: string; promptTokens?: number; promptBudget?: number }> = [];
  panel.on('prompt', (p) => prompts.push(p));
  panel.on('transcript', (t) => t.kind === 'reply' && replies.push(t));
  await new Promise<void>((res) => panel.once('connect', () => res()));
  return { prompts, replies, close: () => panel.close() };
}

const budgetOf = (r: Rig) => (r.pickle.orchestrator.system.get('brain')!.getSnapshot() as { context: { promptBudget?: number } }).context.promptBudget;

describe('context budget', () => {
  it('Ollama: fitted to the context /api/ps reports; the panel gets the prompt size of each reply', async () => {
    rig = await startRig({ ollama: { numCtx: 4096 } });
    await rig.waitFor(() => budgetOf(rig!) === 4096 - 150 - 64, 5000, 'the budget from /api/ps');
    const panel = await panelPrompts(rig);
    rig.irc!.say(CHANNEL, { user: 'sam', text: 'pickle how big is your prompt?' });
    const p = await rig.waitFor(() => panel.prompts[0], 5000, 'the prompt size on the panel');
    expect(p.budget).toBe(3882);
    expect(p.tokens).toBeGreaterThan(100);
    expect(p.tokens).toBeLessThanOrEqual(p.budget);
    // The reply's transcript row carries its prompt size, so the panel shows it next to the reply.
    const row = await rig.waitFor(() => panel.replies[0], 5000, 'the reply on the panel transcript');
    expect(row).toMatchObject({ promptTokens: p.tokens, promptBudget: 3882 });
    panel.close();
  });

  it('Ollama with CONTEXT_TOKENS=1024: num_ctx 1024 is asked for, and a long conversation is trimmed so Ollama never cuts the prompt', async () => {
    rig = await startRig({ env: { CONTEXT_TOKENS: '1024' }, random: () => 0.99 });
    expect(budgetOf(rig)).toBe(1024 - 150 - 64);
    // 14 long lines (not addressed, no replies), then a mention: far more than 1,024 tokens untrimmed.
    for (let i = 0; i < 14; i++) rig.irc!.say(CHANNEL, { user: `viewer${i}`, text: `${'so much to say about this run '.repeat(10)}${i}` });
    await new Promise((r) => setTimeout(r, 2300)); // one batch window
    rig.irc!.say(CHANNEL, { user: 'sam', text: 'pickle tell me about the run please' });
    await rig.waitFor(() => rig!.captions().length > 0, 5000, 'a caption');
    const body = rig.ollama.chatRequests().at(-1)!;
    expect((body.options as { num_ctx?: number }).num_ctx).toBe(1024);
    const prompt = body.messages as Array<{ content: string }>;
    expect(prompt[1]!.content).toContain('wrote: "pickle tell me about the run please"');
    expect(prompt[1]!.content).toContain('(login "viewer13")'); // the newest history survives…
    expect(prompt[1]!.content).not.toContain('(login "viewer0")'); // …the oldest does not
    // The stand-in counts like Ollama would (≈ 4 characters a token) and caps at num_ctx: it was never reached.
    const chars = prompt.reduce((n, m) => n + m.content.length, 0);
    expect(Math.ceil(chars / 4) + 8).toBeLessThan(1024 - 150);
  });

  it('OpenAI-compatible: the context length in /models (vLLM max_model_len) sets the budget', async () => {
    rig = await startRig({ backend: 'openai', openai: { contextLength: 16_384 } });
    await rig.waitFor(() => budgetOf(rig!) === 16_384 - 150 - 64, 5000, 'the budget from /models');
    const panel = await panelPrompts(rig);
    rig.irc!.say(CHANNEL, { user: 'sam', text: 'pickle hello there' });
    const p = await rig.waitFor(() => panel.prompts[0], 5000, 'the prompt size on the panel');
    expect(p.budget).toBe(16_170);
    panel.close();
  });
});

/**
 * Incremental parser for the reply the LLM streams as structured output,
 * `{"emotion": "...", "text": "..."}`, delivered in token pieces cut anywhere (inside
 * keys, escapes, multi-byte characters' escapes...).
 *
 * Why a hand parser and not `partial-json`: partial-json re-parses the whole buffer on
 * every piece, trims the trailing whitespace of a partial string (so "ok. " looks like
 * "ok." and the sentence boundary is seen one piece late), and cannot say when a string
 * is complete without a second parse. The output here is one flat object of strings, so
 * a character-level state machine is short, O(n), and exact: the emotion is known at its
 * closing quote, the text grows strictly by appending, and keys may come in any order.
 *
 * Tolerated model mistakes: plain text instead of JSON (all of it is the text, emotion
 * `neutral`), a ```json fence around the object, text before emotion, unknown keys or
 * non-string values (skipped), an unknown emotion (`neutral`), a truncated object (the
 * text so far is flushed at the end). Garbage that starts with `{` but is not JSON
 * ("{laughs} oh no") falls back to plain text as long as nothing was reported yet.
 */
import { toEmotion, type Emotion } from '../../machines/events.ts';
import { SentenceCutter } from './sentences.ts';

export type ReplyPart = { type: 'emotion'; emotion: Emotion } | { type: 'sentence'; text: string };

/** Keys a model may use for the spoken text when it strays from the schema. */
const TEXT_KEYS = new Set(['text', 'reply', 'response', 'message', 'content']);
const WS = /\s/;

type Mode = 'undecided' | 'json' | 'plain';
type JsonState = 'beforeKey' | 'key' | 'colon' | 'beforeValue' | 'string' | 'skip' | 'done';

export class ReplyStreamParser {
  private mode: Mode = 'undecided';
  /** Everything received, kept while a fallback to plain text is still possible. */
  private raw = '';
  private state: JsonState = 'beforeKey';
  private key = '';
  private currentKey = '';
  private value = '';
  /** Inside a string: null, or the escape being read ('\\' seen, or `u` + hex digits). */
  private escape: string | null = null;
  private skipDepth = 0;
  private skipInString = false;
  private skipEscape = false;

  private textKey: string | null = null;
  private textDone = false;
  private emotionValue: Emotion | undefined;
  private emotionReported = false;
  private reportedAnything = false;
  private fullText = '';
  private readonly cutter = new SentenceCutter();
  private out: ReplyPart[] = [];

  /** The text so far (the whole text after `end()`), untrimmed. */
  get text(): string {
    return this.fullText;
  }

  /** The emotion, once known (always set after `end()`). */
  get emotion(): Emotion | undefined {
    return this.emotionValue;
  }

  /** Whether the model answered with JSON or plain text (undecided until the first non-space character). */
  get format(): Mode {
    return this.mode;
  }

  push(piece: string): ReplyPart[] {
    this.out = [];
    if (this.mode === 'undecided') {
      this.raw += piece;
      this.decide(false);
    } else if (this.mode === 'plain') {
      this.addText(piece);
    } else {
      if (!this.reportedAnything) this.raw += piece;
      this.jsonChars(piece);
    }
    return this.flushOut();
  }

  /** The stream ended: flush the remaining text and make sure an emotion was reported. */
  end(): ReplyPart[] {
    this.out = [];
    if (this.mode === 'undecided') this.decide(true);
    if (!this.textDone) {
      for (const s of this.cutter.end()) this.sentence(s);
      this.textDone = true;
    }
    this.reportEmotion(this.emotionValue ?? 'neutral');
    return this.flushOut();
  }

  // ---------------------------------------------------------------- mode detection

  private decide(final: boolean): void {
    const lead = this.raw.trimStart();
    if (lead === '') {
      if (final) this.mode = 'plain';
      return;
    }
    const fence = /^```[a-z]*\s*/i.exec(lead);
    const afterFence = fence ? lead.slice(fence[0].length) : lead;
    if (afterFence.startsWith('{')) {
      this.mode = 'json';
      this.raw = lead;
      this.jsonChars(afterFence.slice(1));
      return;
    }
    // "`" or "```js" may still turn out to be a fence opening.
    const maybeFence = '```'.startsWith(lead) || (fence !== null && afterFence === '');
    if (maybeFence && !final) return;
    this.toPlain(lead);
  }

  private toPlain(text: string): void {
    this.mode = 'plain';
    this.raw = '';
    this.reportEmotion('neutral');
    this.addText(text);
  }

  // ---------------------------------------------------------------- JSON object, one character at a time

  private jsonChars(chars: string): void {
    for (const ch of chars) {
      // A syntax error may have switched to plain text, which already took the whole raw input.
      if (this.mode !== 'json') return;
      this.json(ch);
    }
  }

  private json(ch: string): void {
    switch (this.state) {
      case 'done':
        return;
      case 'beforeKey':
        if (WS.test(ch) || ch === ',') return;
        if (ch === '"') {
          this.state = 'key';
          this.key = '';
          this.escape = null;
        } else if (ch === '}') {
          this.finishObject();
        } else this.syntaxError();
        return;
      case 'key': {
        const c = this.stringChar(ch);
        if (c === null) return;
        if (c === false) this.state = 'colon';
        else this.key += c;
        return;
      }
      case 'colon':
        if (WS.test(ch)) return;
        if (ch === ':') this.state = 'beforeValue';
        else this.syntaxError();
        return;
      case 'beforeValue':
        if (WS.test(ch)) return;
        if (ch === '"') {
          this.state = 'string';
          this.currentKey = this.key;
          this.value = '';
          this.escape = null;
          if (TEXT_KEYS.has(this.currentKey) && this.textKey === null) this.textKey = this.currentKey;
        } else {
          this.state = 'skip';
          this.skipDepth = 0;
          this.skipInString = false;
          this.skipEscape = false;
          this.skip(ch);
        }
        return;
      case 'string': {
        const c = this.stringChar(ch);
        if (c === null) return;
        if (c === false) this.closeValue();
        else this.valueChar(c);
        return;
      }
      case 'skip':
        this.skip(ch);
        return;
    }
  }

  /** Decodes one character of a JSON string: the decoded text, null while an escape is incomplete, false at the closing quote. */
  private stringChar(ch: string): string | false | null {
    if (this.escape === null) {
      if (ch === '\\') {
        this.escape = '';
        return null;
      }
      return ch === '"' ? false : ch;
    }
    if (this.escape === '') {
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };
      if (ch === 'u') {
        this.escape = 'u';
        return null;
      }
      this.escape = null;
      return simple[ch] ?? ch;
    }
    this.escape += ch;
    if (this.escape.length < 5) return null;
    const code = Number.parseInt(this.escape.slice(1), 16);
    this.escape = null;
    // Surrogate halves arrive as two escapes; appending code units rebuilds the pair.
    return Number.isNaN(code) ? '' : String.fromCharCode(code);
  }

  private valueChar(c: string): void {
    if (this.currentKey === 'emotion') this.value += c;
    else if (this.currentKey === this.textKey && !this.textDone) this.addText(c);
  }

  private closeValue(): void {
    this.state = 'beforeKey';
    if (this.currentKey === 'emotion' && this.emotionValue === undefined) {
      this.emotionValue = toEmotion(this.value);
      this.reportEmotion(this.emotionValue);
    } else if (this.currentKey === this.textKey && !this.textDone) {
      // The text is complete: its last sentence need not wait for the end of the stream.
      this.textDone = true;
      for (const s of this.cutter.end()) this.sentence(s);
    }
  }

  /** Skips a non-string value (number, null, nested object/array) up to the `,` or `}` after it. */
  private skip(ch: string): void {
    if (this.skipInString) {
      if (this.skipEscape) this.skipEscape = false;
      else if (ch === '\\') this.skipEscape = true;
      else if (ch === '"') this.skipInString = false;
      return;
    }
    if (ch === '"') this.skipInString = true;
    else if (ch === '{' || ch === '[') this.skipDepth++;
    else if ((ch === '}' || ch === ']') && this.skipDepth > 0) this.skipDepth--;
    else if (this.skipDepth === 0 && ch === ',') this.state = 'beforeKey';
    else if (this.skipDepth === 0 && ch === '}') this.finishObject();
  }

  private finishObject(): void {
    this.state = 'done';
    this.raw = '';
  }

  private syntaxError(): void {
    if (!this.reportedAnything && this.fullText === '') {
      // "{laughs} oh no": not JSON after all.
      const raw = this.raw;
      this.toPlain(raw);
      return;
    }
    this.state = 'done';
  }

  // ---------------------------------------------------------------- output

  private addText(text: string): void {
    this.fullText += text;
    for (const s of this.cutter.push(text)) this.sentence(s);
  }

  private sentence(text: string): void {
    this.out.push({ type: 'sentence', text });
    this.reportedAnything = true;
  }

  private reportEmotion(emotion: Emotion): void {
    if (this.emotionReported) return;
    this.emotionReported = true;
    this.emotionValue = emotion;
    this.reportedAnything = true;
    this.out.push({ type: 'emotion', emotion });
  }

  private flushOut(): ReplyPart[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

/**
 * Removes `<think>…</think>` sections from a streamed reply, so a reasoning model's thoughts are
 * never parsed as the reply and never spoken. Pieces are cut anywhere, tags included: a piece
 * ending in what may be the start of a tag is held back until the next piece says.
 */
const OPEN = '<think>';
const CLOSE = '</think>';

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialTagAtEnd(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) if (tag.startsWith(text.slice(-n))) return n;
  return 0;
}

export class ThinkStripper {
  private inThink = false;
  private held = '';
  /** Characters of thoughts dropped so far. */
  dropped = 0;

  push(piece: string): string {
    let buf = this.held + piece;
    this.held = '';
    let out = '';
    for (;;) {
      const tag = this.inThink ? CLOSE : OPEN;
      const at = buf.indexOf(tag);
      if (at >= 0) {
        if (this.inThink) this.dropped += at;
        else out += buf.slice(0, at);
        buf = buf.slice(at + tag.length);
        this.inThink = !this.inThink;
        continue;
      }
      const keep = partialTagAtEnd(buf, tag);
      const rest = buf.slice(0, buf.length - keep);
      if (this.inThink) this.dropped += rest.length;
      else out += rest;
      this.held = buf.slice(buf.length - keep);
      return out;
    }
  }

  /** The stream ended: a held partial tag outside thoughts was text after all; unclosed thoughts stay dropped. */
  end(): string {
    const rest = this.inThink ? '' : this.held;
    this.held = '';
    return rest;
  }
}

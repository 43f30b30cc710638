/**
 * Pickle's own lines coming back in chat (a platform echoes what the bot posted, and Pickle must not
 * answer itself). The echo can arrive before the post's answer names its id, so a line is known by
 * its id once the answer came, and by its text while the post is under way (one echo each).
 */
const KEPT = 50;

export class OwnLines {
  private readonly ids: string[] = [];
  private readonly texts: string[] = [];

  /** A line is being posted. */
  posting(text: string): void {
    this.texts.push(text);
    if (this.texts.length > KEPT) this.texts.shift();
  }

  /** The platform accepted it under this id (its echo, if not seen yet, is known by the id). */
  posted(text: string, id: string | undefined): void {
    if (!id) return;
    const i = this.texts.indexOf(text);
    if (i < 0) return; // its echo was already seen
    this.texts.splice(i, 1);
    this.ids.push(id);
    if (this.ids.length > KEPT) this.ids.shift();
  }

  /** The post failed: no echo will come. */
  failed(text: string): void {
    const i = this.texts.indexOf(text);
    if (i >= 0) this.texts.splice(i, 1);
  }

  /** Whether a line read from chat is one of Pickle's (each echo is recognised once). */
  isOwn(id: string, text: string): boolean {
    const byId = this.ids.indexOf(id);
    if (byId >= 0) {
      this.ids.splice(byId, 1);
      return true;
    }
    const byText = this.texts.indexOf(text);
    if (byText < 0) return false;
    this.texts.splice(byText, 1);
    return true;
  }
}

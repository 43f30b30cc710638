/**
 * When a streamed LLM reply has gone wrong, pure.
 *
 * Under a JSON grammar (Ollama's `format`, OpenAI's `response_format`) some models get stuck
 * writing whitespace forever: the grammar allows it and nothing else is likely. Nothing would
 * ever be spoken, and the request would hold the model until the overall timeout. A real reply
 * never has this many whitespace-only tokens in a row, so that many ends it at once.
 */

/** Whitespace-only pieces in a row after which the reply is given up. */
export const BLANK_RUN_LIMIT = 48;

/** The length of the current run of whitespace-only pieces once `piece` is counted. */
export function nextBlankRun(run: number, piece: string): number {
  if (piece === '') return run; // an empty piece (e.g. the final stats line) is no token
  return piece.trim() === '' ? run + 1 : 0;
}

export function isRunaway(run: number, limit = BLANK_RUN_LIMIT): boolean {
  return run >= limit;
}

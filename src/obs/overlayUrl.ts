/**
 * The overlay page OBS loads: Pickle's own URL, with the overlay key when Pickle listens beyond
 * this PC (the overlay's own key: it can play the voice, never read or change anything else).
 */
export function overlayUrlFor(serverUrl: string, overlayKey: string | undefined): string {
  const u = new URL('/overlay', serverUrl);
  if (overlayKey) u.searchParams.set('key', overlayKey);
  return u.toString();
}

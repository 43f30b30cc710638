/** The overlay page OBS loads: Pickle's own URL, with the access token when Pickle listens beyond this PC. */
export function overlayUrlFor(serverUrl: string, accessToken: string | undefined): string {
  const u = new URL('/overlay', serverUrl);
  if (accessToken) u.searchParams.set('token', accessToken);
  return u.toString();
}

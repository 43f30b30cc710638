/**
 * Credentials people put inside URLs (`http://user:pass@host`, `?api-key=…`) shown as `***`
 * wherever a URL is printed for the streamer: the doctor's lines and a malformed setting's error.
 * Text-based, so it also covers URLs a library echoes in its error messages and values that do
 * not parse as a URL at all.
 */

/** A scheme, `://`, then everything up to whitespace, a quote or a bracket. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`()]+/gi;

/** One URL: its userinfo, and the value of every query parameter, as `***`. */
export function maskUrl(raw: string): string {
  const scheme = raw.indexOf('://') + 3;
  const endOfAuthority = raw.slice(scheme).search(/[/?#]/);
  const authEnd = endOfAuthority < 0 ? raw.length : scheme + endOfAuthority;
  let authority = raw.slice(scheme, authEnd);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = `***@${authority.slice(at + 1)}`;
  let rest = raw.slice(authEnd);
  const q = rest.indexOf('?');
  if (q >= 0) {
    const hash = rest.indexOf('#', q);
    const end = hash < 0 ? rest.length : hash;
    const query = rest
      .slice(q + 1, end)
      .split(/([&;])/)
      .map((part) => {
        if (part === '&' || part === ';' || part === '') return part;
        const eq = part.indexOf('=');
        return eq < 0 ? '***' : `${part.slice(0, eq)}=***`;
      })
      .join('');
    rest = `${rest.slice(0, q + 1)}${query}${rest.slice(end)}`;
  }
  return `${raw.slice(0, scheme)}${authority}${rest}`;
}

/** Every URL in `text` masked (see maskUrl). */
export function maskUrls(text: string): string {
  return text.replace(URL_IN_TEXT, maskUrl);
}

/**
 * The secret parts of a URL setting (user, password, query values), decoded, so that a library
 * printing one of them without the URL around it is caught by the secret list too.
 */
export function urlSecrets(value: string): string[] {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return [];
  }
  const parts = [u.username, u.password, ...[...u.searchParams.values()]];
  return parts.flatMap((p) => {
    let decoded = p;
    try {
      decoded = decodeURIComponent(p);
    } catch {
      // a lone % stays as it is
    }
    return decoded === p ? [p] : [p, decoded];
  }).filter((p) => p.length > 0);
}

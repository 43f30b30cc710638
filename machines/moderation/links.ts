import { fold } from './normalise.ts';

/**
 * Links in any disguise: with or without a scheme, "hxxp", "www", "dot com", "[.]", "(dot)",
 * "punto com", "punkt de", spaced dots, bare domains with a known TLD, URL shorteners, IP
 * addresses. The text is folded first (look-alike letters, full-width dots), obfuscated dots
 * are turned back into dots, then each word is checked against an anchored pattern.
 */

/** TLDs seen in spam and in everyday links. */
const TLDS =
  'com|net|org|edu|gov|io|gg|tv|co|me|ly|xyz|ru|de|es|fr|uk|us|ca|au|nl|it|pl|br|mx|ar|cl|jp|cn|in|info|biz|app|dev|link|live|shop|site|online|store|cc|to|fm|am|be|ch|at|se|no|eu|club|top|vip|win|bet|cash|money|fun|lol|wtf|sex|xxx|porn|tk|ml|ga|cf|gq|ws|pw|icu|click|page|stream|chat|social|fans|onlyfans|zip|mov|ai|sh|so|gl|gd|gy|ee|su|ua|kz|by|lt|lv|cz|sk|hu|ro|gr|pt|tr|ir|id|ph|vn|th|kr|tw|hk|sg|my|nz|za|ng|ke|eg|ma|ve|pe|uy|ec|bo|py|cr|pa|do|cu|pr|gt|hn|ni|sv|at|li|lu|is|ie|dk|fi|hr|si|rs|ba|mk|al|me|md|ge|am|az|uz|tj|kg|mn|np|lk|bd|pk|af|iq|sa|ae|qa|kw|bh|om|ye|jo|lb|sy|il|ps|tn|dz|ly|sd|et|tz|ug|rw|gh|ci|sn|cm|ao|mz|zw|zm|mw|na|bw|ls|sz|mg|mu|sc|re|yt|nc|pf|wf|ck|nu|tk|ws|to|fj|pg|sb|vu|ki|nr|tv|fm|mh|pw|gu|mp|as|vi|ag|ai|bb|bm|bs|bz|dm|gd|jm|kn|lc|ms|tc|tt|vc|vg|aw|cw|sx|bq|gf|gp|mq|pm|bl|mf|hm|nf|cx|cc|io|sh|ac|ta|gs|fk|aq|bv|sj|um|eh|ss|ax|fo|gl|gg|je|im|mc|sm|va|ad|st|cv|gw|gq|ga|cg|cd|cf|td|ne|ml|bf|tg|bj|lr|sl|gn|gm|mr|km|dj|so|er';
const TLD_SET = new Set(TLDS.split('|'));

/** TLDs that stand out even after a sentence-ending ". " ("freebits. com"). */
const LOUD_TLDS = new Set(['com', 'gg', 'ly', 'xyz', 'ru', 'io', 'tv', 'link', 'shop', 'site', 'online', 'cc', 'tk', 'click']);

const SHORTENERS = /^(?:bitly|bit\.ly|tinyurl|tinyurl\.com|goo\.gl|t\.co|ow\.ly|is\.gd|buff\.ly|rb\.gy|cutt\.ly|shorturl|t\.ly|linktr\.ee|linktree|tiny\.cc|s\.id|shorte\.st|adf\.ly|rebrand\.ly|bl\.ink|qr\.co)$/;

/** A scheme, written plainly or defanged: http://, hxxps://, h t t p s : / /, ftp://. */
const SCHEME = /\b(?:h ?[tx*] ?[tx*] ?p ?s?|ftp|wss?) ?(?::|\[:\]|colon) ?(?:\/|slash) ?(?:\/|slash)|:\/\//;

function undisguise(folded: string): string {
  return folded
    // "e x a m p l e . c o m": letters spaced out are one word.
    .replace(/\b(?:[a-z0-9] ){2,}[a-z0-9]\b/g, (m) => m.replace(/ /g, ''))
    .replace(/\bc o m\b/g, 'com')
    .replace(/([a-z0-9-]{2}),(com|net|org|ru|xyz|gg|io|tv|ly)\b/g, '$1.$2')
    .replace(/ ?[[({<] ?(?:\.|dot|d0t|punto|punkt) ?[\])}>] ?/g, '.')
    // "gratis punkt de", "regalos punto com": a spelled-out dot before a TLD. "A punto de", "el
    // punto es que" are Spanish prose: after an article or a preposition, "punto" is a word.
    .replace(/(\S{0,64}) (dot|d0t|punto|punkt|point|ponto) ([a-z]{2,})\b/g, (m, before: string, dot: string, tld: string) => {
      if (!TLD_SET.has(tld)) return m;
      if (dot !== 'dot' && dot !== 'd0t' && (ROMANCE_ARTICLES.has(before) || (dot !== 'punkt' && PROSE_AFTER_POINT.has(tld)))) return m;
      return `${before}.${tld}`;
    })
    .replace(/([a-z0-9-]{2}) \. ?(?=[a-z]{2,}\b)/g, '$1.')
    .replace(/\. (?=[a-z]{2,}\b)/g, (m, offset: number, whole: string) => {
      const tld = /^[a-z]+/.exec(whole.slice(offset + 2, offset + 12))?.[0] ?? '';
      return LOUD_TLDS.has(tld) ? '.' : m;
    })
    .replace(/ (?:slash|barra|schragstrich) (?=[a-z0-9])/g, '/')
    .replace(/ ?\/ ?(?=[a-z0-9])/g, '/')
    // "discord gg/abc": a name, a TLD and a path is a link with its dot left out.
    .replace(/\b([a-z0-9-]{2,63}) (com|net|org|gg|ly|io|tv|me|co|xyz|ru)(?=\/[a-z0-9])/g, '$1.$2');
}

/** TLDs that are also everyday words: "wow.so cool" and "ok.me too" are typos, "t.me/x" is a link. */
const WORD_TLDS = new Set(['to', 'me', 'so', 'in', 'at', 'it', 'is', 'no', 'be', 'do', 'am', 'us', 'my', 'as', 'id', 'by', 'st', 'im', 'go', 'sh', 'ai', 'ma', 'pa', 'la', 'er', 'ne', 'eh']);

const DOMAIN = /^(?:[a-z0-9-]+\.)+([a-z]{2,12})(?:[/:?#].*)?$/;
const IP = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:[/:].*)?$/;

/** Words before "punto"/"point"/"ponto" that make it the noun ("a punto de", "el punto", "au point"). */
const ROMANCE_ARTICLES = new Set(['a', 'al', 'el', 'un', 'le', 'au', 'du', 'o', 'um', 'ao', 'do', 'este', 'ese', 'mi', 'tu', 'su', 'cada', 'ce', 'mon', 'ton', 'son', 'bon', 'meu', 'esse', 'neste', 'nesse', 'en', 'de', 'del', 'this', 'that', 'the', 'my', 'good', 'no', 'what']);
/** After "punto"/"point"/"ponto", these are words of the sentence, not TLDs. */
const PROSE_AFTER_POINT = new Set(['de', 'es', 'la', 'el', 'en', 'a', 'do', 'da', 'no', 'na', 'is', 'to', 'at', 'in', 'it', 'me', 'my', 'so', 'be', 'of', 'on', 'et', 'le']);

const VERSION_WORD = /^(?:version|versions|v|ver|build|release|update|patch|firmware|kernel|versao|version|versione|windows|android|ios|macos)$/;

const TECH_NAMES = /\b(?:asp|ado|vb|dot|entity)\.net\b|\b[a-z]+\.js\b/g;

export type LinkKind = 'scheme' | 'www' | 'domain' | 'shortener' | 'ip';

export function checkLinks(text: string): LinkKind | undefined {
  const folded = fold(text);
  if (SCHEME.test(folded)) return 'scheme';
  // Names that look like domains: ASP.NET is a framework, not a link.
  const t = undisguise(folded.replace(TECH_NAMES, ' '));
  // "www." before a name is a link; "WWW stands for World Wide Web" is prose.
  if (/\bw ?w ?w ?\.\w/.test(t)) return 'www';
  let previous = '';
  for (const raw of t.split(' ')) {
    const before = previous;
    previous = raw;
    const w = raw.replace(/^[("'<[]+|[)"'>\],;!?.:]+$/g, '');
    if (!w) continue;
    if (SHORTENERS.test(w.split('/')[0]!)) return 'shortener';
    // An address, not a version ("version 10.0.19045.3803", "build 3.0.0.1"): four parts of 0–255, no version word before.
    if (IP.test(w) && w.split(/[/:]/)[0]!.split('.').every((n) => Number(n) <= 255) && !VERSION_WORD.test(before)) return 'ip';
    // "evil.c0m": the TLD in leetspeak.
    const m = DOMAIN.exec(w.replace(/\.([a-z0-9]{2,12})(?=$|[/:?#])/, (_, tld: string) => `.${tld.replace(/0/g, 'o').replace(/1/g, 'l').replace(/3/g, 'e')}`));
    if (!m || !TLD_SET.has(m[1]!) || !/[a-z]/.test(w.split('.')[0]!)) continue;
    const dots = w.split('/')[0]!.split('.').length - 1;
    if (!WORD_TLDS.has(m[1]!) || w.includes('/') || dots >= 2) return 'domain';
  }
  return undefined;
}

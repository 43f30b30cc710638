import { FICTION, checkIdentifiers } from './identifiers.ts';
import { fold } from './normalise.ts';

/**
 * Personal data (doxxing): phone numbers (in digits or in words), emails, street addresses, GPS
 * coordinates, licence plates, national IDs and a named person's home town (identifiers.ts), in
 * English, Spanish, German, French and Portuguese. Never spoken, shown or stored. "Lives in"
 * alone is not personal data: the frog lives in the pond. Works on words (linear): anchored per-word patterns and short look-aheads
 * over the word list, never a free-running regex over the whole text.
 *
 * Numbers people say on stream pass: scores, years, prices, times, dates, room numbers.
 */

const NUMBER_WORDS: Record<string, string> = {
  zero: '0', oh: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  ten: '10', eleven: '11', twelve: '12', thirteen: '13', fourteen: '14', fifteen: '15', sixteen: '16', seventeen: '17', eighteen: '18', nineteen: '19',
  twenty: '20', thirty: '30', forty: '40', fifty: '50', sixty: '60', seventy: '70', eighty: '80', ninety: '90',
  cero: '0', uno: '1', una: '1', dos: '2', tres: '3', cuatro: '4', cinco: '5', seis: '6', siete: '7', ocho: '8', nueve: '9',
  diez: '10', once: '11', doce: '12', trece: '13', catorce: '14', quince: '15', veinte: '20', treinta: '30', cuarenta: '40', cincuenta: '50', sesenta: '60', setenta: '70', ochenta: '80', noventa: '90',
  null: '0', eins: '1', zwei: '2', zwo: '2', drei: '3', vier: '4', funf: '5', fuenf: '5', sechs: '6', sieben: '7', acht: '8', neun: '9',
  zehn: '10', elf: '11', zwolf: '12', zwanzig: '20', dreissig: '30', vierzig: '40', funfzig: '50', sechzig: '60', siebzig: '70', achtzig: '80', neunzig: '90',
  un: '1', deux: '2', trois: '3', quatre: '4', cinq: '5', sept: '7', huit: '8', neuf: '9',
  dix: '10', onze: '11', douze: '12', treize: '13', quatorze: '14', seize: '16', vingt: '20', vingts: '20', trente: '30', quarante: '40', cinquante: '50', soixante: '60',
  um: '1', dois: '2', quatro: '4', sete: '7', oito: '8', nove: '9', meia: '6', dez: '10', doze: '12', treze: '13', vinte: '20', trinta: '30', quarenta: '40', sessenta: '60', oitenta: '80',
};

/** "trente-quatre" (34), "soixante-dix-huit" (78), "sixty-seven": a compound number word is one number. */
function compoundNumber(parts: readonly string[]): string | undefined {
  if (!parts.every((p) => NUMBER_WORDS[p] !== undefined || /^\d+$/.test(p) || p === 'et' || p === 'y' || p === 'e' || p === 'und')) return undefined;
  const values = parts.filter((p) => NUMBER_WORDS[p] !== undefined || /^\d+$/.test(p)).map((p) => Number(NUMBER_WORDS[p] ?? p));
  // Digits read one by one ("five-five-five") stay digits; tens and units add up.
  if (values.every((v) => v < 10)) return values.join('');
  return String(values.reduce((a, b) => a + b, 0));
}

/** A word of a phone number: digits with + ( ) - . / inside, or a lone separator. */
const PHONE_PIECE = /^[+(]*\d[\d().,\-/]*$/;
const SEPARATOR = /^[-./()+]+$/;
/** Words read between the digits of a number ("555 dash 867 then 5309"). */
const FILLERS = new Set(['dash', 'hyphen', 'dot', 'then', 'and', 'y', 'und', 'guion', 'strich', 'bindestrich', 'punto', 'punkt', 'et', 'tiret', 'point', 'e', 'traco', 'ponto']);

function looksLikeDateOrNumber(raw: string, digits: string): boolean {
  if (/^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(raw) || /^\d{4}[./-]\d{1,2}[./-]\d{1,2}$/.test(raw)) return true;
  // Thousands groups: 1.000.000 / 10.000.000
  if (/^\d{1,3}(?:[.,]\d{3})+$/.test(raw)) return true;
  // Decimals: 3.14159265
  if (/^\d+\.\d+$/.test(raw) && !/^\d{3}\.\d{4}$/.test(raw)) return true;
  // A round figure (5000000) or a run of counting (1 2 3 4 5 6 7).
  if (/^\d+$/.test(raw) && /000$/.test(raw)) return true;
  return counting(digits.split('')) || counting(raw.split(' '));
}

/** 1 2 3 4 5 6 7 / 10 9 8 7 6 5 4 3 2 1: counting, not a number to call. */
function counting(pieces: readonly string[]): boolean {
  const values = pieces.map((p) => Number(p));
  if (values.length < 3 || values.some((v) => !Number.isInteger(v))) return false;
  const step = values[1]! - values[0]!;
  return (step === 1 || step === -1) && values.every((v, i) => i === 0 || v - values[i - 1]! === step);
}

function hasPhoneNumber(words: readonly string[]): boolean {
  const currency = /^[$€£¥]|^(dollars?|euros?|bucks|pesos|usd|eur|points?|punkte|puntos|viewers?|subs?|followers?|km|mi|miles?|meters?|metros|kg|lbs?)$/;
  let run: string[] = [];
  const flush = (next: string | undefined): boolean => {
    const pieces = run;
    run = [];
    if (pieces.length === 0) return false;
    if (next && currency.test(next)) return false;
    const digits = pieces.join('').replace(/\D+/g, '');
    // No upper bound: digits added after a phone number ("… 5309 1 2 3") do not make it safe, and a card number is private too.
    if (digits.length < 7) return false;
    // A list of years ("2019 2020 2021") or of round figures ("1000 and 2000") is not a number to call.
    const numbers = pieces.filter((p) => /\d/.test(p));
    if (numbers.every((p) => /^(?:19|20)\d\d$/.test(p)) || numbers.every((p) => /00$/.test(p))) return false;
    return !looksLikeDateOrNumber(numbers.join(' '), digits);
  };
  for (let i = 0; i < words.length; i++) {
    // "555-O199": a letter O among digits is a zero.
    const raw = /\d/.test(words[i]!) && /^[\d()+.\-/o]+$/.test(words[i]!) ? words[i]!.replace(/o/g, '0') : words[i]!;
    // "five-five-five" is one word of number words.
    const parts = raw.includes('-') && /[a-z]/.test(raw) ? raw.split('-') : undefined;
    const w = NUMBER_WORDS[raw] ?? (parts ? (compoundNumber(parts) ?? raw) : raw);
    // A version or build number ("10.0.22631.2861", "v2.4.1") is not a phone number.
    if (/^\d+(?:\.\d+){2,}$/.test(w) && !/^\d{2}(?:\.\d{2}){3,4}$/.test(w) && !/^\d{3}\.\d{3}\.\d{4}$/.test(w)) {
      if (flush(w)) return true;
      continue;
    }
    // An IP address is a link, not a phone number.
    if (PHONE_PIECE.test(w) && !/^\d{1,3}(?:\.\d{1,3}){3}$/.test(w)) {
      // "$ 1234567" is a price.
      if (run.length === 0 && /^[$€£¥]$/.test(words[i - 1] ?? '')) continue;
      run.push(w);
    } else if ((SEPARATOR.test(w) || FILLERS.has(w)) && run.length > 0) run.push('-');
    else if (flush(w)) return true;
  }
  return flush(undefined);
}

/** Emails, also as "name at gmail dot com", "name (at) gmail [.] com", "name @ gmail . com". */
function hasEmail(text: string): boolean {
  const t = text
    .replace(/ ?[[({<] ?(?:at|arroba|ät) ?[\])}>] ?/g, '@')
    .replace(/ (?:at|arroba) (?=[a-z0-9-]{1,64} ?(?:\.|dot|punto|punkt|[[({<] ?(?:dot|punto|punkt|\.) ?[\])}>]))/g, '@')
    .replace(/ ?@ ?/g, '@')
    .replace(/ ?[[({<] ?(?:dot|d0t|punto|punkt|\.) ?[\])}>] ?/g, '.')
    .replace(/ (?:dot|d0t|punto|punkt) /g, '.')
    .replace(/(@[a-z0-9-]{1,64}) ?\. ?/g, '$1.');
  // "jane at gmail", "jane@gmail": a mail provider's name is enough.
  if (/[a-z0-9._-]{2,64}(?: ?@ ?| at | arroba | ?\(at\) ?| ?\[at\] ?)(?:gmail|googlemail|yahoo|hotmail|outlook|protonmail|proton|icloud|gmx|aol|yandex|mail\.ru|web\.de|t-online)\b/.test(text)) return true;
  for (const w of t.split(' ')) {
    const at = w.lastIndexOf('@');
    if (at <= 0) continue;
    const domain = w.slice(at + 1).replace(/[.,;:!?)"']+$/, '');
    const local = w.slice(w.lastIndexOf('@', at - 1) + 1, at);
    if (/^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$/.test(domain) && /^[a-z0-9._%+-]+$/.test(local)) return true;
  }
  return false;
}

const STREET_EN = /^(?:street|st|str|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|terr|ter|circle|cir|highway|hwy|parkway|pkwy|square|sq|crescent|cres|close|alley|trail|trl|pike|row|walk|grove|gardens|mews|loop)$/;
const STREET_ES = /^(?:calle|c\/|avenida|av|avda|plaza|pza|paseo|camino|carrera|carretera|ronda|travesia|pasaje|glorieta|callejon|rue|avenue|boulevard|bd|bld|allee|impasse|chemin|quai|cours|rua|travessa|praca|largo|alameda|estrada|rodovia|beco|via)$/;
/** French street types said after the house number ("12 rue de la Paix", "5 avenue Victor Hugo"). */
const STREET_FR = /^(?:rue|avenue|av|boulevard|bd|bld|place|allee|impasse|chemin|quai|route|cours|square|passage|voie|rua|avenida)$/;
/** Addresses everybody knows from fiction or the news. */
const FAMOUS_ADDRESS = /\b(?:221 ?b baker street|baker street 221 ?b|742 evergreen terrace|4 privet drive|12 grimmauld place|1600 pennsylvania avenue|10 downing street|31 spooner street|124 conch street|177 ?a bleecker street|1313 mockingbird lane|350 fifth avenue)\b/;
const FAMOUS_ADDRESSES = new RegExp(FAMOUS_ADDRESS.source, 'g');
const STREET_DE_SUFFIX = /(?:strasse|str|weg|gasse|allee|platz|damm|ufer|chaussee|steig|pfad)$/;
const HOUSE_NUMBER = /^\d{1,5}[a-z]?$/;
const NOT_A_NAME = new Set(
  'a an the in on at of to for and or my your his her their our its is was are points games times km miles minutes hours days years people viewers subs de la el los las del y en con por para und der die das im am zum zur mit von fur bei ist'.split(' '),
);

/** Words that end a Spanish street name ("en la calle hay 5 perros" is not an address). */
const NOT_A_STREET_NAME_ES = new Set('hay tiene tienen es esta estan son era fue tengo hace con por para que y o pero porque cuando como mas muy a en est sont etait compte a avait qui et ou mais tem tinha sao era estava com e ou mas'.split(' '));

function hasStreetAddress(words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    // "742 Evergreen Terrace", "221b Baker Street"
    if (HOUSE_NUMBER.test(w)) {
      for (let j = i + 1; j <= i + 4 && j < words.length; j++) {
        const n = words[j]!;
        if (STREET_EN.test(n) && j > i + 1) return true;
        if (STREET_FR.test(n) && j === i + 1 && words[j + 1] && !NOT_A_STREET_NAME_ES.has(words[j + 1]!)) return true;
        // "1234 West 5th Avenue": an ordinal belongs to the street's name.
        if (NOT_A_NAME.has(n) || (/\d/.test(n) && !/^\d{1,3}(?:st|nd|rd|th)$/.test(n))) break;
      }
    }
    // "Calle Mayor 5", "Avenida de la Constitución 12", "C/ Gran Vía 3"
    if (STREET_ES.test(w)) {
      for (let j = i + 1; j <= i + 6 && j < words.length; j++) {
        if (HOUSE_NUMBER.test(words[j]!) && j > i + 1) return true;
        if (NOT_A_STREET_NAME_ES.has(words[j]!)) break;
      }
    }
    // "Hauptstraße 12", "Am Mühlenweg 5a"
    const suffix = STREET_DE_SUFFIX.exec(w);
    if (suffix && w.length >= suffix[0].length + 3 && HOUSE_NUMBER.test(words[i + 1] ?? '')) return true;
    if (/^(?:strasse|str|gasse|allee)$/.test(w) && HOUSE_NUMBER.test(words[i + 1] ?? '') && i > 0 && !NOT_A_NAME.has(words[i - 1]!)) return true;
  }
  return false;
}

/** Decimal coordinates ("40.7128, -74.0060", "lat 51.5074 lon -0.1278", "34.0522° N, 118.2437° W") and degrees ("40°26'46\"N"). */
function hasCoordinates(text: string): boolean {
  let last: { end: number; value: number } | undefined;
  for (const m of text.matchAll(/-?\d{1,3}[.,]\d{3,}/g)) {
    const value = Math.abs(Number(m[0].replace(',', '.')));
    if (last && m.index - last.end <= 14 && last.value <= 90 && value <= 180) return true;
    last = { end: m.index + m[0].length, value };
  }
  // NFKC writes ″ as two primes.
  return /\d{1,3} ?° ?\d{1,2}(?:\.\d+)? ?['′] ?(?:\d{1,2}(?:\.\d+)? ?(?:["″]|′′|'')? ?)?[nsewol]\b/.test(text);
}

/** An address asked or named as such ("her home address", "su domicilio", "code postal"): "lives in" alone is not one. */
const RESIDENCE = [
  /\b(?:his|her|their|streamers?|streamer s) (?:home |house |real |exact )?address (?:is|was)\b/,
  /\b(?:su|sus) (?:direccion|domicilio) (?:es|era)\b|\b(?:seine|ihre|eure) (?:wohn)?adresse (?:ist|lautet)\b|\bwohnadresse\b|\b(?:son|leur) adresse (?:est|c est)\b|\b(?:o|a) endereco dele\b|\bendereco dela\b/,
  /\b(?:zip|postal|post) ?code (?:is|was)\b|\bpostleitzahl (?:ist|lautet)\b|\bcodigo postal (?:es|e)\b|\bcode postal (?:est|c est)\b/,
  /\b(?:p ?o ?box|apartado de correos|postfach|boite postale|caixa postal) \d/,
  /\b(?:lives|living|resides|wohnt|vive|mora|habite) (?:at|an der|am|en el|en la|na|no|au) \d/,
  // A person's home pinned down: "you live in the blue house on Maple", "sie wohnt in Kreuzberg, direkt neben dem Park".
  /\b(?:live|lives|wohnt|wohnst|vive|vives|mora|habite|habites|vit) (?:[a-z]+ ){0,3}(?:house|apartment|flat|building|haus|wohnung|casa|piso|maison|appartement|apartamento|predio) (?:on|at|an der|in der|en la|na|rue|calle) (?!the |a |der |die |la |el |le |a )[a-z]+/,
  /\b(?:he|she|they|you|u|er|sie|du|el|ella|ellos|tu|il|elle|ils|ele|ela|voce|vc) (?:live|lives|wohnt|wohnst|wohnen|vive|vives|viven|mora|moras|moram|habite|habites|habitent|vit|vis) (?:[a-z]+ ){1,6}(?:right next to|next to|across from|opposite|directly behind|direkt neben|neben dem|gegenuber|al lado de|enfrente de|frente a|a cote de|en face de|ao lado d[aoe]|em frente)\b/,
];

export type PersonalDataKind = 'phone' | 'email' | 'address' | 'coordinates' | 'residence' | 'plate' | 'national-id' | 'hometown';

export function checkPersonalData(text: string): PersonalDataKind | undefined {
  const folded = fold(text);
  // Words keep the characters phone numbers and emails are made of.
  const words = folded.replace(/[;!?¡¿"“”«»]|,(?!\d)/g, ' ').split(' ').filter(Boolean);
  const spaced = words.map((w) => w.replace(/^[(]+|[).:]+$/g, '')).filter(Boolean);
  // A famous address is only a story's ("Sherlock Holmes at 221B Baker Street in the novels").
  const story = FICTION.test(folded);
  const clean = (story ? folded.replace(FAMOUS_ADDRESSES, ' ') : folded).replace(/[^\p{L}\p{N} ]+/gu, ' ').split(' ').filter(Boolean);
  if (hasEmail(folded)) return 'email';
  if (hasPhoneNumber(splitSeparators(words))) return 'phone';
  if (hasCoordinates(folded)) return 'coordinates';
  const identifier = checkIdentifiers(text, folded);
  if (identifier) return identifier;
  if (hasStreetAddress(clean) || (!(story && FAMOUS_ADDRESS.test(folded)) && hasStreetAddress(spaced))) return 'address';
  const letters = clean.join(' ');
  if (RESIDENCE.some((re) => re.test(letters))) return 'residence';
  return undefined;
}

/** "555-1234." / "(555)" / "+49-30" stay one piece; a trailing sentence dot is dropped. */
function splitSeparators(words: readonly string[]): string[] {
  return words.map((w) => w.replace(/[.:]+$/, '')).filter(Boolean);
}

import { MAX_CHECKED_CHARS } from './normalise.ts';

/**
 * Personal data that is a format rather than a number to call: licence plates (US, UK, DE, ES,
 * FR, BR), national IDs (DNI/NIE, NI number, CPF, INSEE, SSN, and any number said to be an ID),
 * GPS in degrees and minutes written in words, and a named person's home town. Plates and IDs
 * read the text with its case kept (NFKC): "AB12 CDE" is a plate, "ab12 cde" in prose less so.
 */

export type IdentifierKind = 'plate' | 'national-id' | 'coordinates' | 'hometown';

/** Formats that are a plate on their own. */
const PLATE_FORMATS = [
  /\b[A-Z]{2}\d{2} ?[A-Z]{3}\b/, // UK: AB12 CDE
  /\b[A-Z]{2}-\d{3}-[A-Z]{2}\b/, // FR: AB-123-CD
  /\b[A-Z]{3}\d[A-Z]\d{2}\b/, // BR Mercosur: ABC1D23
  /\b\d{4} ?[BCDFGHJKLMNPRSTVWXYZ]{3}\b/, // ES: 1234 BCD
  /\b[A-ZÄÖÜ]{1,3}-[A-Z]{1,2} \d{1,4}[EH]?\b/, // DE: B-MW 1234
  /\b\d[A-Z]{3}\d{3}\b/, // US (California): 7ABC123
];

/** Words that announce a plate; what follows within a few words is read as one. */
const PLATE_WORD = /\b(?:plates?|licen[cs]e|registration|reg|numberplate|tag|tags|matricula|matriculas|kennzeichen|nummernschild|autokennzeichen|plaque|plaques|immatricule|immatriculee|immatriculation|placa|placas|targa)\b/;

/** "KX69 ZTR", "B-MW 1234", "M AB 123", "1234 BCD": short capital or digit chunks after the word, read together. */
function plateAfterWord(cased: string, folded: string): boolean {
  const at = PLATE_WORD.exec(folded);
  if (!at) return false;
  // The same place in the cased text: folding keeps the words in order.
  const wordsBefore = folded.slice(0, at.index).split(' ').filter(Boolean).length;
  const tokens = cased.split(/\s+/).filter(Boolean).slice(wordsBefore + 1, wordsBefore + 10);
  let chunk = '';
  let skipped = 0;
  for (const raw of tokens) {
    const t = raw.replace(/^[("'«]+|[)"'».,;:!?]+$/g, '');
    if (/^[A-ZÄÖÜ0-9-]{1,9}$/.test(t) && (/\d/.test(t) || t.length <= 4)) {
      chunk += t.replace(/-/g, '');
      if (/[.,;:!?)]$/.test(raw)) break;
    } else if (chunk || ++skipped > 3) break;
  }
  return /[A-Z]/.test(chunk) && /\d/.test(chunk) && chunk.length >= 4 && chunk.length <= 9;
}

const ID_FORMATS = [
  /\b\d{8} ?-?[A-Z]\b/, // DNI: 12345678Z
  /\b[XYZ] ?-?\d{7} ?-?[A-Z]\b/i, // NIE: X1234567L
  /\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/, // NI number: QQ 12 34 56 C
  /\b\d{3}\.\d{3}\.\d{3}-\d{2}\b/, // CPF: 123.456.789-09
  /\b[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3}(?: ?\d{2})?\b/, // INSEE: 1 85 05 78 006 084 36
  /\b\d{3}-\d{2}-\d{4}\b/, // US SSN
];

/** An ID named, then a number of five digits or more (spaces and separators inside). */
const ID_WORD = /\b(?:dni|nie|nif|cpf|rg|insee|nir|secu|securite sociale|social security|ssn|national insurance|ni number|nino|personalausweis|ausweis|ausweisnummer|steuer id|steuernummer|passport|pasaporte|passeport|reisepass|passaporte|cedula|documento de identidad|carte d identite|carteira de identidade|bi)\b[^0-9]{0,30}(?:\d[\d .\-/]{3,24}\d)/;

/** "40 degrees 44 minutes north", "48 Grad 8 Minuten Nord", "22 graus 54 minutos sul". */
const DEGREES = /\b\d{1,3} (?:degrees?|deg|grados?|grad|degres?|graus?)\b(?: (?:and )?\d{1,2} (?:minutes?|mins?|minutos?|minuten|minute))?(?:,? ?(?:\d{1,2} (?:seconds?|segundos?|sekunden|secondes?))?)? ?,? (?:north|south|east|west|norte|sur|este|oeste|nord|sud|sued|ost|ouest|est|leste|sul|n|s|e|w|o)\b/g;

/** People everybody knows the fictional home of, and words that say a sentence is about a story. */
export const FICTION = /\b(?:sherlock holmes|john watson|dr watson|harry potter|don quijote|don quixote|homer simpson|bart simpson|marge simpson|spongebob|bruce wayne|peter parker|tony stark|clark kent|frodo bolsillo|frodo baggins|bilbo baggins|mario bros|super mario|hercule poirot|miss marple|santa claus|papa noel|pere noel|weihnachtsmann|dick van dyke|sherlock|holmes|simpsons|stories|story|novel|novels|book|books|movie|film|series|cartoon|episode|roman|romanen|romans|novela|novelas|livro|livros|pelicula|filme|serie|conte|buch|geschichten)\b/;

/** Present-tense "lives in / is from", in the five languages. */
const RESIDES = /\b(?:lives|live|resides|stays|is from|comes from|vive|vives|reside|mora|moram|wohnt|wohnst|lebt|habite|habites|vit|vis|demeure|reste)\b/;
const FROM = /^(?:from|of|de|da|do|aus|von)$/;
const NAME_WORD = /^\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?$/u;
/** Capitalised words that start a sentence or name a thing, not a person. */
const NOT_A_NAME = new Set(
  'The A An My Your His Her Our Their This That Mi Tu Su El La Los Las Un Una Der Die Das Ein Eine Mein Dein Sein Ihr Le Les Mon Ton Son Ma Ta Sa O Os As Um Uma Meu Minha Seu Sua Chat Stream Streamer Pickle I Im In On At Is He She They We It And But So Oh Hey Hi Hello Yes No Ok Okay Sure Well Eh Meine Deine Seine Unsere Eure Ihre Mi Mis Tus Sus Nuestra Nuestro Mes Tes Ses Notre Votre Nossa Nosso Oma Opa Mama Papa Tante Onkel Bruder Schwester Mutter Vater Freund Freundin Cousin Cousine Nachbar Nachbarin Chef Katze Hund Familie Grandma Grandpa Mom Dad Uncle Aunt'.split(' '),
);

/** A first and last name (two capitalised words that are not articles), then where they live or come from. */
function namedHometown(cased: string, folded: string): boolean {
  if (!RESIDES.test(folded)) return false;
  const tokens = cased.split(/\s+/).filter(Boolean);
  const bare = tokens.map((t) => t.replace(/^[("'«¿¡]+|[)"'».,;:!?]+$/g, ''));
  for (let i = 0; i + 1 < bare.length; i++) {
    if (!NAME_WORD.test(bare[i]!) || !NAME_WORD.test(bare[i + 1]!) || NOT_A_NAME.has(bare[i]!) || NOT_A_NAME.has(bare[i + 1]!)) continue;
    // The sentence's first word after a full stop is capitalised anyway: "Hello. Anna" is not a surname.
    const rest = bare.slice(i + 2, i + 12).map((w) => w.toLowerCase());
    const restCased = bare.slice(i + 2, i + 12);
    const verbAt = rest.findIndex((w, k) => RESIDES.test(w) || (w === 'is' && rest[k + 1] === 'from') || (w === 'comes' && rest[k + 1] === 'from'));
    const fromAt = rest.findIndex((w) => FROM.test(w));
    // "Klaus Becker aus Bielefeld", "Pierre Dubois de Lyon": a capitalised place after "from".
    if (fromAt >= 0 && fromAt <= 2 && NAME_WORD.test(restCased[fromAt + 1] ?? '') && verbAt >= 0) return true;
    // "Mike Thompson lives in Des Moines", "Sarah Mitchell, she lives in Bristol".
    if (verbAt >= 0 && restCased.slice(verbAt + 1, verbAt + 5).some((w) => NAME_WORD.test(w) && !NOT_A_NAME.has(w))) return true;
  }
  return false;
}

export function checkIdentifiers(text: string, folded: string): IdentifierKind | undefined {
  const cased = (text.length > MAX_CHECKED_CHARS ? text.slice(0, MAX_CHECKED_CHARS) : text).normalize('NFKC').slice(0, MAX_CHECKED_CHARS);
  if (ID_FORMATS.some((re) => re.test(cased)) || ID_WORD.test(folded.replace(/['’]/g, ' '))) return 'national-id';
  if (PLATE_FORMATS.some((re) => re.test(cased)) || plateAfterWord(cased, folded)) return 'plate';
  const degrees = [...folded.replace(/[,:;]/g, ' ').replace(/ +/g, ' ').matchAll(DEGREES)];
  if (degrees.length >= 2 || degrees.some((m) => /minut/.test(m[0]))) return 'coordinates';
  if (!FICTION.test(folded) && namedHometown(cased, folded)) return 'hometown';
  return undefined;
}

import { gap, type LanguagePhrases } from './types.ts';

const WHOM = '(?:dich|euch|ihn|sie|die)';

export const de: LanguagePhrases = {
  stopwords: ['der', 'die', 'das', 'den', 'dem', 'ein', 'eine', 'einen', 'und', 'ist', 'sind', 'ich', 'du', 'er', 'wir', 'nicht', 'mit', 'auf', 'fur', 'von', 'zu', 'im', 'bei', 'auch', 'sehr', 'schon', 'ganz', 'hast', 'habe', 'hab', 'bist', 'dich', 'dir', 'mich', 'mir', 'was', 'wie', 'wo', 'noch', 'mal', 'doch', 'nur', 'aber', 'oder', 'heute', 'geht', 'uns', 'euch', 'ihr', 'sein', 'man', 'wird', 'will'],
  threat: [
    new RegExp(`\\b(?:stech|steche|bring|bringe|knall|knalle|schlag|schlage|mach|mache|leg|lege|hau|haue)\\b ${WHOM} ${gap(2)}(?:ab|um|tot|kalt|nieder|zusammen|um die ecke)\\b`),
    new RegExp(`\\b(?:ich|wir) (?:werde|werden|will|wollen|wurde|wurden) ${gap(1)}${WHOM} ${gap(2)}(?:umbringen|toten|abstechen|erschiessen|erschlagen|erwurgen|vergewaltigen|verprugeln|abknallen|aufschlitzen|verbrennen|kaltmachen|killen|fertigmachen|abschlachten)\\b`),
    new RegExp(`\\b(?:erschiess|erschiesse|erschlag|erschlage|erwurg|erwurge|tot|tote|vergas|vergase)\\b ${WHOM}\\b`),
    new RegExp(`\\b(?:die|man|sollte|sollten|gehoren|gehort|musste|mussten) ${gap(3)}(?:alle )?(?:erschiessen|erschossen|vergasen|vergast|aufhangen|aufgehangt|umbringen|umgebracht|toten|getotet|verbrennen|verbrannt|abknallen|ausrotten|ausgerottet|an die wand gestellt)\\b`),
    /\b(?:dir|euch|ihm|ihr) (?:die beine|das genick|die knochen|die fresse|die nase|den hals|die arme|alle knochen) (?:brechen|polieren|umdrehen|einschlagen)\b/,
    /\b(?:ich weiss|wir wissen|ich kenne|wir kennen|ich finde raus|wir finden raus) wo (?:du|ihr|er|sie) (?:wohnst|wohnt|wohnen|schlafst|arbeitest)\b|\b(?:ich kenne|wir kennen|ich habe|wir haben) (?:deine|seine|ihre|eure) adresse\b/,
    /\b(?:zunden|zunde|fackeln|fackle|brennen) (?:dein|euer|sein|ihr) (?:haus|auto|wohnung) (?:an|ab|nieder)\b|\b(?:dein|euer|sein|ihr) haus (?:anzunden|abbrennen|abfackeln)\b/,
    new RegExp(`\\bhoffentlich (?:uberfahrt|erwischt|totet|erschiesst|ersticht|stirbt|krepiert|verreckt) ${gap(1)}(?:dich|ihn|sie|euch|du|er)\\b`),
    /\b(?:swatten|swatting|geswattet)\b|\b(?:schickt|schick|schicken) (?:ihm|ihr|dir|denen) (?:die polizei|das sek|die cops)\b/,
    /\bdu bist (?:so gut wie |schon )?tot\b|\bdu wirst sterben\b/,
    /\b(?:dich|euch) (?:umbringen|abstechen|erschiessen|toten|kaltmachen|verprugeln|abknallen|aufschlitzen|erwurgen|abschlachten)\b/,
  ],
  selfHarm: [
    /\britz dich\b|\britzen\b/,
    new RegExp(`\\b(?:bring|erschiess) dich ${gap(2)}um\\b|\\b(?:hang|erhang) dich ${gap(3)}auf\\b|\\b(?:toete|tote|kill|erhang|erschiess) dich(?: selbst)?\\b`),
    /\bspring (?:doch |einfach )?(?:von|vor|aus) (?:der|die|einer|einen|dem|den) (?:brucke|zug|dach|hochhaus|fenster|u bahn|klippe)\b/,
    new RegExp(`\\bhor auf zu essen ${gap(3)}bis\\b`),
    /\b(?:keiner|niemand) (?:wurde|wird|vermisst) (?:dich )?(?:vermissen|dich)\b/,
    /\b(?:verreck|krepier|stirb)(?: doch| endlich| einfach)?\b/,
  ],
  sexual: [
    /\bnackt(?:bilder|fotos|pics|videos)\b|\bnudes\b/,
    new RegExp(`\\b(?:schick|schicke|sende) (?:mir|uns) ${gap(1)}(?:nackt|nudes|titten|brustbilder)`),
    new RegExp(`\\bzieh dich ${gap(3)}aus\\b`),
    /\bzieh (?:dein|deinen|deine) (?:top|shirt|bh|slip|hose|rock) aus\b/,
    /\bzeig (?:uns |mir )?(?:mal )?(?:deine |die |ihre |uns )?(?:titten|brueste|bruste|muschi|arsch|nippel|mopse|mose)\b/,
    /\b(?:dich|sie) nackt sehen\b|\bnackt vor der (?:kamera|cam)\b/,
    /\bunter (?:ihren|deinen|den) rock\b/,
    /\bich will (?:dich|sie) (?:ficken|bumsen|poppen|vogeln|lecken)\b|\b(?:blas|lutsch) (?:mir|meinen) (?:einen|schwanz)\b/,
  ],
  leak: [
    /\bsystem ?prompt\b|\bsystemanweisung(?:en)?\b/,
    /\bmeine (?:anweisungen|regeln|instruktionen|vorgaben|befehle) (?:[a-z]+ )?(?:sagen|lauten|besagen|sind|verbieten)\b/,
    /\bmir wurde (?:gesagt|befohlen|aufgetragen|verboten|erklart)\b/,
    /\bich (?:wurde|bin) (?:angewiesen|programmiert|instruiert)\b/,
    /\bhier sind meine (?:regeln|anweisungen)\b/,
    /\b(?:laut|gemass|nach|wegen) meine[nr]? (?:anweisungen|regeln|vorgaben|instruktionen|systemanweisungen)\b/,
  ],
  idioms: [/\b(?:die hitze|das wetter|der witz|die arbeit) bringt mich um\b/g],
};

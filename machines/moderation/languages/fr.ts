import { gap, type LanguagePhrases } from './types.ts';

const HARM = '(?:tuer|poignarder|buter|egorger|frapper|tabasser|defoncer|violer|bruler|pendre|massacrer|flinguer|etrangler|fusiller|cramer|saigner|trouer|decapiter|lyncher|gazer|exterminer)';

export const fr: LanguagePhrases = {
  stopwords: ['le', 'les', 'et', 'est', 'sont', 'je', 'il', 'elle', 'nous', 'vous', 'pas', 'avec', 'pour', 'dans', 'sur', 'du', 'des', 'ce', 'cette', 'mon', 'ton', 'qui', 'une', 'au', 'aux', 'c', 'j', 'l', 'd', 'qu', 't', 'm', 's', 'n', 'ne', 'on', 'ca', 'tres', 'mais', 'ou', 'moi', 'toi', 'ta', 'ma', 'sa', 'ses', 'tes', 'mes', 'suis', 'etait', 'fait', 'tout', 'bien', 'oui', 'non', 'voila', 'quoi'],
  threat: [
    new RegExp(`\\b(?:je|j|on|nous|ils) (?:vais|va|allons|vont|veux|voudrais) ${gap(1)}(?:te|le|la|les|vous|t|l) ${gap(3)}${HARM}\\b`),
    /\b(?:te|vous) (?:tuer|poignarder|buter|egorger|tabasser|defoncer|violer|massacrer|flinguer|etrangler|fusiller|decapiter|lyncher|crever les yeux)\b/,
    new RegExp(`\\b(?:je|on) (?:te|le|la|les|vous|t|l) (?:tuerai|tuerais|buterai|egorgerai|defoncerai|cramerai|retrouverai|trouverai)\\b`),
    new RegExp(`\\b(?:il faudrait|faudrait|il faut|faut|on devrait|quelqu un devrait|ils devraient) ${gap(1)}(?:tous |toutes )?(?:les|lui|leur) (?:tous )?${HARM}\\b`),
    /\b(?:une|des|deux) balles? dans (?:la|ta|sa|leur) (?:tete|gueule|bouche|nuque)\b|\btirer (?:dessus|une balle)\b/,
    /\b(?:je sais|on sait|nous savons|je connais|on connait|on a trouve|j ai trouve) ou (?:tu|il|elle|vous|ils) (?:habites|habite|habitez|habitent|vis|vit|dors|dort|travailles|travaille)\b|\b(?:je connais|on connait|j ai|on a) (?:ton|ta|son|votre|leur) adresse\b/,
    /\b(?:bruler|cramer|incendier|faire sauter) (?:ta|sa|votre|leur) (?:maison|baraque|voiture|apart|appartement)\b|\bavec (?:toi|lui|elle|vous) dedans\b/,
    new RegExp(`\\b(?:j espere|pourvu) qu (?:un|une|on|il|ils) ${gap(3)}(?:t|te|l|le|la|vous) ${gap(1)}(?:ecrase|ecraser|tue|tuer|bute|buter|percute|renverse|viole)\\b`),
    /\b(?:casser|peter|briser|defoncer) (?:les jambes|la gueule|la tete|le crane|les dents|le bras|la nuque)\b/,
    /\bt es (?:un homme )?mort\b|\btu vas (?:mourir|crever)\b|\bje vais venir chez (?:toi|lui|elle|vous)\b/,
    /\bswatt?(?:ing|er|e)\b/,
  ],
  selfHarm: [
    /\b(?:va|allez) (?:te|vous) (?:pendre|tuer|suicider|jeter|noyer|ouvrir les veines)\b/,
    /\b(?:pends|tue|suicide|jette|noie|flingue) (?:toi|vous)\b/,
    /\b(?:te|vous) (?:suicider|pendre|foutre en l air|jeter (?:sous|d un|du haut))\b/,
    /\b(?:te|vous|se) (?:couper|ouvrir|taillader) les veines\b|\bcoupe toi\b/,
    /\bjette toi (?:d un|du|de la|par la|sous un|sous le)\b/,
    /^creve\b|\bcreve (?:donc|la|sale|connard|enfin)\b|\bva crever\b|\bva mourir\b/,
    /\bpersonne ne (?:te|vous) (?:regrettera|manquera|pleurera)\b/,
    new RegExp(`\\barrete de manger ${gap(3)}(?:jusqu|avant)\\b`),
  ],
  sexual: [
    /\b(?:envoie|envoies|envoyez|balance) (?:moi |nous )?(?:des |tes )?(?:nudes|photos nues?|photos de toi (?:toute )?nue?|nus)\b/,
    /\bdeshabille (?:toi|vous)\b|\b(?:a poil|toute nue|tout nu) (?:pour|devant|sur)\b|\b(?:enleve|retire) (?:ton|ta|tes) (?:haut|soutif|soutien gorge|culotte|t shirt|string) (?:pour|devant)\b/,
    /\bmontre (?:nous |moi )?(?:tes |ta |ton |les |tes beaux |tes gros )?(?:seins|nichons|fesses|chatte|cul|tetons|string|culotte|nibards)\b/,
    /\b(?:te|la|vous) voir (?:toute |tout )?(?:nue?|a poil)\b/,
    /\bsous (?:sa|ta|la) jupe\b/,
    /\bje (?:veux|vais|voudrais) (?:te|la|vous) (?:baiser|sucer|prendre|niquer|lecher|doigter)\b|\bsuce moi\b|\btailler une pipe\b/,
  ],
  leak: [
    /\b(?:prompt|invite|message|instructions) (?:systeme|du systeme|de systeme)\b/,
    /\bmes (?:instructions|regles|consignes|directives|ordres) (?:[a-z]+ment )?(?:disent|me disent|sont|indiquent|stipulent|m interdisent)\b/,
    /\bon m a (?:dit|demande|ordonne|interdit|programme) (?:de|d)\b/,
    /\bj ai ete (?:programme|programmee|configure|configuree|instruit|instruite)\b/,
    /\bvoici mes (?:regles|instructions|consignes)\b/,
    /\b(?:d apres|selon|conformement a|suivant) mes (?:instructions|regles|consignes|directives)\b/,
  ],
  idioms: [/\btuer le temps\b/g],
};

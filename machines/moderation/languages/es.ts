import { gap, type LanguagePhrases } from './types.ts';

const CLITIC = '(?:te|le|les|os|lo|la|los|las)';
const HARM = '(?:matar|apunalar|acuchillar|disparar|quemar|ahorcar|violar|reventar|degollar|atropellar|fusilar|linchar|golpear|partir|romper|rajar|descuartizar|ejecutar|torturar|balear|pegar)';
const HARM_CLITIC = `(?:mat|apunal|acuchill|quem|ahorc|viol|revent|degoll|atropell|fusil|linch|golpe|part|romp|raj|descuartiz|ejecut|tortur|bale|peg|dispar)(?:ar|er|ir)(?:te|le|la|lo|los|las|les|os)`;

export const es: LanguagePhrases = {
  stopwords: ['el', 'los', 'las', 'y', 'es', 'son', 'eres', 'soy', 'pero', 'muy', 'esta', 'este', 'con', 'por', 'para', 'del', 'al', 'hay', 'una', 'mi', 'tu', 'te', 'lo', 'le', 'que', 'se', 'como', 'ya', 'yo', 'tio', 'vamos', 'voy', 'donde', 'ella', 'ellos', 'su', 'sus', 'mas', 'todo', 'todos', 'nada', 'bien', 'hoy', 'aqui', 'ahora', 'hace', 'tengo', 'estoy'],
  threat: [
    new RegExp(`\\b${CLITIC} (?:voy|vamos|van|va|iremos|ire) a ${gap(1)}${HARM}\\b`),
    new RegExp(`\\b(?:voy|vamos|van|va) a ${HARM_CLITIC}\\b`),
    new RegExp(`\\b(?:habria que|hay que|deberian|deberiamos|alguien deberia|alguien tiene que|tendrian que|tendriamos que) ${gap(1)}${HARM_CLITIC}\\b`),
    /\b(?:habria que|hay que|deberian|tendrian que) (?:matar|fusilar|quemar|ahorcar|linchar|gasear|exterminar) a (?:todos|todas|esos|esas|ese|esa)\b/,
    /\b(?:matarlos|matarlas|fusilarlos|quemarlos|ahorcarlos|gasearlos|exterminarlos) a todos\b|\ba todos (?:habria que|hay que) (?:matarlos|fusilarlos|quemarlos)\b/,
    /\b(?:pegarle|pegarte|meterle|meterte|darle|darte) (?:un tiro|un balazo|una bala|un navajazo|una paliza)\b/,
    /\bse (?:donde|en que calle) (?:vives|vive|viven|duermes|trabajas)\b|\bse tu direccion\b/,
    /\b(?:quemar|quemaremos|quemo) (?:tu|su|vuestra) casa\b|\bcontigo dentro\b/,
    /\bojala (?:te|le|les) (?:atropelle|mate|maten|muera|mueras|pegue|peguen|violen|disparen)\b/,
    /\b(?:voy|vamos) a ir a por (?:ti|el|ella|vosotros|ellos)\b|\bestas muerto\b|\bvas a morir\b|\bte voy a encontrar\b/,
    /\b(?:romper|partir|reventar)(?:te|le)? (?:la cara|las piernas|el cuello|los dientes|la cabeza|la boca|el craneo)\b/,
    /\bswatt?(?:ing|ear|eado|een)\b/,
    /\b(?:mat|apunal|acuchill|revent|degoll|fusil|linch|descuartiz|tortur|bale)ar(?:te|os)\b/,
  ],
  selfHarm: [
    /\b(?:matate|suicidate|ahorcate|cortate|tirate|muerete|envenenate|quitate la vida)\b/,
    /\b(?:deberias|tienes que|vete a|ve a) (?:matarte|suicidarte|ahorcarte|cortarte|morirte|tirarte|morir)\b/,
    /\bcortar(?:te|se) las venas\b|\bcortate las venas\b/,
    /\btirate (?:por|de|desde) (?:un|una|el|la) (?:puente|ventana|edificio|balcon|azotea)\b/,
    /\bnadie te (?:va a )?(?:echar de menos|extranar|echara de menos|extranara)\b/,
    /\b(?:por que no|ojala|deberias|tienes que|vete a) te (?:matas|mates|suicidas|suicides|ahorcas|ahorques|mueres|mueras|tiras|tires|cortas|cortes)\b/,
    new RegExp(`\\bdeja de comer ${gap(3)}hasta\\b`),
  ],
  sexual: [
    new RegExp(`\\b(?:manda|mandame|mandanos|envia|enviame|envianos|pasame|pasanos) ${gap(1)}(?:fotos? |videos? )?(?:desnud[oa]s?|nudes|packs?|en bolas|en pelotas|de tus tetas)\\b`),
    /\bfotos? (?:desnuda|desnudo|en bolas|en pelotas|de tus tetas)\b/,
    /\b(?:quitate|sacate) (?:la ropa|el sujetador|la camiseta|las bragas)\b|\bdesnudate\b/,
    /\b(?:ensename|ensenanos|muestrame|muestranos|ensena|muestra) (?:las |tus |el |tu |los |la )?(?:tetas|pechos|culo|pezones|cosita|bragas|tanga)\b/,
    /\b(?:verte|ver te|verla) (?:desnuda|en pelotas|en bolas|sin ropa|en tetas)\b|\ben pelotas\b/,
    /\b(?:debajo de|bajo) (?:su|tu|la) falda\b/,
    /\bte la (?:quiero )?(?:chupar|meter)\b|\bchupamela\b|\b(?:quiero|voy a) (?:follarte|cogerte|tirarte|chupartela|comerte entera)\b/,
    /\b(?:que|menudas|buenas|tus) tetas\b/,
  ],
  leak: [
    /\b(?:prompt|mensaje|instrucciones) (?:del|de) sistema\b/,
    /\bmis (?:instrucciones|reglas|normas|directrices|ordenes) (?:[a-z]+mente )?(?:dicen|me dicen|son|establecen|indican|me prohiben)\b/,
    /\bme (?:dijeron|han dicho|ordenaron|indicaron|programaron|pidieron|prohibieron) (?:que )?(?:nunca|no|jamas)\b/,
    /\b(?:aqui|estas) (?:estan|son) mis (?:instrucciones|reglas)\b/,
    /\b(?:segun|de acuerdo con|conforme a|por) mis (?:instrucciones|reglas|normas|directrices)\b/,
  ],
  idioms: [/\bmatar el tiempo\b/g],
};

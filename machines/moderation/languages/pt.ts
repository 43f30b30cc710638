import { gap, type LanguagePhrases } from './types.ts';

const HARM = '(?:matar|esfaquear|furar|bater|quebrar|queimar|estuprar|enforcar|atropelar|espancar|degolar|balear|fuzilar|linchar|explodir|torturar|executar|apagar|meter bala|dar um tiro|dar uns tiros|dar porrada|encher de porrada)';

export const pt: LanguagePhrases = {
  stopwords: ['os', 'as', 'um', 'uma', 'e', 'sao', 'voce', 'vc', 'nao', 'meu', 'minha', 'seu', 'sua', 'do', 'da', 'dos', 'das', 'no', 'na', 'em', 'com', 'pra', 'pro', 'ele', 'ela', 'eu', 'isso', 'esse', 'essa', 'ta', 'ja', 'muito', 'mas', 'tem', 'vai', 'vou', 'aqui', 'agora', 'hoje', 'tudo', 'nos', 'gente', 'cara', 'mano', 'ai', 'nossa', 'oi', 'sim', 'porque', 'estou', 'esta', 'foi'],
  threat: [
    new RegExp(`\\b(?:vou|vamos|vai|vao|irei|iremos) ${gap(1)}(?:te|lhe|voce|vc|voces) ${HARM}\\b|\\b(?:vou|vamos|vai|vao) ${HARM}(?: lo| la| los| las)\\b`),
    new RegExp(`\\b(?:tinha que|tem que|temos que|deviam|deveriam|devia|deveria|alguem devia|alguem deveria|precisa) ${gap(1)}${HARM}(?:los|las)?\\b ${gap(2)}(?:todos|todas|eles|elas|ele|ela|essa gente|esse cara|esse streamer|voce|na cabeca)`),
    /\bdar um tiro (?:na cabeca|nele|nela|em voce|na sua|no seu|na cara)\b|\bbala na (?:cabeca|sua cara|cara dele)\b/,
    /\b(?:eu sei|sei|sabemos|a gente sabe|nos sabemos|descobri|descobrimos) onde (?:voce|vc|tu|ele|ela|voces) (?:mora|moram|dorme|trabalha)\b|\b(?:sei|sabemos|tenho|temos) (?:o seu|seu|o teu|teu) endereco\b/,
    /\b(?:queimar|tacar fogo (?:na|em)) (?:sua|tua|a sua|a tua|a casa) ?(?:casa)?\b|\bcom voce dentro\b/,
    new RegExp(`\\bespero que ${gap(3)}(?:te|o|a|voce|ele|ela) ${gap(1)}(?:atropele|mate|morra|morram|esfaqueie|estupre)\\b`),
    /\b(?:quebrar|arrebentar) (?:suas|tuas|as suas|as tuas|a sua|a tua|sua|tua) (?:pernas|cara|cabeca|bracos|dentes)\b/,
    /\b(?:voce|vc) (?:vai|ira) morrer\b|\b(?:ta|esta|tu ta) morto\b|\bvou ai te pegar\b/,
    /\bswatt?(?:ing|ar|ado)\b/,
    /\bte (?:matar|esfaquear|espancar|furar|degolar|balear|fuzilar|estuprar|torturar|enforcar|matar todinho)\b/,
  ],
  selfHarm: [
    /\b(?:mate se|se mate|se mata|se matar|matese)\b/,
    /\b(?:vai|va) se (?:matar|enforcar|cortar|jogar)\b|\bse (?:enforca|enforque|enforcar)\b|\bse (?:corta|corte|cortar) (?:de novo|os pulsos|as veias|mais|toda|todo)\b|\bse (?:joga|jogue|jogar|atira) (?:da|de|do|de uma|de um) (?:ponte|predio|janela|penhasco|viaduto|sacada)\b/,
    /\bcortar os pulsos\b|\bcorta os pulsos\b/,
    /\bninguem vai sentir (?:sua |a sua )?falta\b|\bninguem liga se (?:voce|vc) morrer\b/,
    /\b(?:devia|deveria|deve|vai) se (?:matar|suicidar|enforcar)\b|\bse suicida\b/,
    new RegExp(`\\bpara de comer ${gap(3)}ate\\b`),
  ],
  sexual: [
    /\bmanda (?:umas? )?(?:nudes|nude|foto pelada|fotos peladas|foto nua|fotos nuas|pack)\b/,
    /\btira a roupa\b|\bfica pelada\b|\bfica nua\b|\btira (?:o sutia|a blusa|a calcinha)\b/,
    /\bmostra (?:os |teus |seus |as |tua |sua |a |o )?(?:peitos|seios|bunda|raba|tetas|mamas|calcinha|xota|buceta|peitinhos)\b/,
    /\bfotos? (?:dos|dos seus|das) (?:peitos|seios|partes)\b|\bfotos? pelad[ao]s?\b/,
    /\b(?:te|a|voce) ver (?:pelada|nua|sem roupa)\b/,
    /\b(?:debaixo|embaixo|por baixo) da saia\b/,
    /\bquero te (?:comer|foder|chupar|pegar de jeito)\b|\bchupa (?:meu|o meu) (?:pau|pinto)\b/,
  ],
  leak: [
    /\b(?:prompt|mensagem|instrucoes) do sistema\b/,
    /\bminhas (?:instrucoes|regras|diretrizes|ordens) (?:[a-z]+mente )?(?:dizem|sao|mandam|falam|me proibem)\b/,
    /\bme (?:disseram|mandaram|instruiram|programaram|pediram|proibiram) (?:para |pra |de )?(?:nunca|nao)\b/,
    /\bfui (?:instruido|instruida|programado|programada|configurado|configurada)\b/,
    /\baqui estao minhas (?:regras|instrucoes)\b/,
    /\b(?:de acordo com|segundo|conforme|pelas) (?:as )?minhas (?:instrucoes|regras|diretrizes)\b/,
  ],
  idioms: [/\bmatar (?:o tempo|a saudade|a fome|a sede|a aula)\b/g],
};

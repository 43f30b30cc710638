import { gap, type LanguagePhrases } from './types.ts';

const WHO = '(?:you|u|ya|ye|him|her|them|yall|y all|all of you|all of them|every one of them|every last one of them|this guy|that guy|this girl|that girl|the streamer|streamer|chat|(?:your|ur|his|her|their) (?:whole )?(?:family|kids|children|mom|mother|dad|father|wife|husband|girlfriend|boyfriend|sister|brother|dog|cat|friends))';
const HARM = '(?:kill|murder|stab|shoot|strangle|choke|hurt|burn|bomb|behead|hang|lynch|slit|slaughter|gut|torture|swat|dox|doxx|rape|execute|stomp|run over|beat up|smash|break)';
const INTENT = "(?:i m|im|i am|we re|we are|i ll|ill|i will|we ll|we will|gonna|going to|gon|i d|i want to|i wanna|let s|lets|someone should|somebody should|someone needs to|somebody needs to|someone has to|we should|i could|i would|imma|ima)";
const GROUP = '(?:you|u|he|she|they|those|these|them|every last one of them|every one of them|all of them|people like (?:you|them|that))';
const FATE = '(?:shot|killed|hanged|hung|gassed|lynched|executed|burned|burnt|stabbed|beheaded|murdered|exterminated|wiped out|put down|die)';

export const en: LanguagePhrases = {
  stopwords: ['the', 'an', 'and', 'is', 'are', 'you', 'your', 'i', 'it', 'to', 'of', 'on', 'for', 'with', 'that', 'this', 'was', 'he', 'she', 'they', 'we', 'my', 'be', 'have', 'what', 'im', 'its', 'at', 'just', 'so', 'dont', 'will', 'going', 'hes', 'shes', 'up', 'out', 'did', 'can', 'why', 'how', 'all', 'his', 'her', 'them', 'should', 'would', 'our', 'from', 'by', 'or', 'not', 'but', 'who'],
  threat: [
    new RegExp(`\\b${INTENT} ${gap(3)}${HARM}(?:s|ing)? ${gap(2)}${WHO}\\b`),
    /\b(?:break|snap|smash|cut|slit) (?:your|his|her|their|ur) (?:legs?|neck|arms?|face|skull|bones|throat|teeth|knees?)\b/,
    /\b(?:put|get|send|shoot) (?:a|some) (?:bullet|bullets|round|slug) (?:in|into|through) (?:your|his|her|their|ur)\b/,
    /\bi know where (?:you|u|he|she|they|ya|ur family|your family) (?:live|lives|sleep|sleeps|stay|stays|work|works)\b/,
    /\b(?:i know|i found|we know|we have) (?:your|ur|his|her|their) (?:address|home address|ip|house)\b/,
    new RegExp(`\\b${GROUP} ${gap(2)}(?:should|must|need to|deserve to|ought to|gotta) ${gap(2)}(?:be )?${FATE}\\b`),
    new RegExp(`\\b(?:i |we )?hope ${gap(4)}(?:dies|die|gets? (?:shot|stabbed|killed|murdered|raped|hit by)|runs? (?:you|u|him|her|them) over|kills? (?:you|u|him|her|them)|burns? down)\\b`),
    /\b(?:burn|torch|blow up) (?:down )?(?:your|his|her|their|ur) (?:house|home|place|car|school|family)\b/,
    /\bwith (?:you|him|her|them) (?:still )?(?:inside|in it|in there)\b/,
    /\b(?:find|know|found|got|have|learned|figured out) (?:out )?where (?:you|u|he|she|they|ya) (?:live|lives|sleep|sleeps)\b/,
    new RegExp(`\\b${INTENT} ${gap(1)}(?:bomb|shoot up|blow up|burn down|attack|torch) (?:that|the|this|a|your|his|her|their) (?:school|church|mosque|synagogue|mall|office|building|house|home|concert|stadium|event|stream)\\b`),
    new RegExp(`\\b(?:swat|swatting|swatted)\\b ${gap(3)}(?:him|her|them|this|that|the|streamer|you|his|their)\\b`),
    /\bsend (?:the )?(?:cops|police|swat|swat team) (?:to|at) (?:his|her|their|your|ur|the streamer s) (?:house|home|place|door|address)\b/,
    /\b(?:shoot|shooting) up (?:the|a|your|this|that|his|her) (?:school|mall|church|mosque|synagogue|place|office|stream|event|con)\b/,
    /\b(?:you re|youre|you are|ur|u r) (?:so |already )?dead\b|\byou (?:will|re going to|are going to|re gonna|are gonna|gonna) die\b/,
    /\b(?:i ll|ill|i will|we ll|we will|gonna|going to) (?:find|hunt|track) (?:you|u|him|her|them) (?:down )?(?:and|irl)\b/,
    /\bwatch your back\b/,
    /\bbeat (?:you|u|him|her|them|ya) (?:to death|senseless|bloody|black and blue|to a pulp)\b|\bbeat the (?:shit|crap|hell|life) out of (?:you|u|him|her|them)\b/,
  ],
  selfHarm: [
    /\b(?:hang|cut|kill|off|end|unalive|neck|rope|shoot|stab|starve|drown|burn) (?:yourself|urself|yourselves|ur self|your self|yoself|yaself)\b/,
    /\b(?:slit|cut|open) (?:your|ur) (?:wrists?|veins?|throat)\b/,
    /\b(?:jump|leap) (?:off|from) (?:a|the|that) (?:bridge|building|roof|cliff|balcony|window|tower)\b/,
    /\b(?:drink|swallow) (?:bleach|poison|drain cleaner|antifreeze)\b/,
    /\bkys\b|\bk y s\b/,
    /\b(?:nobody|no one|noone) (?:would|will|d) (?:miss (?:you|u)|care about (?:you|u)|care if (?:you|u) (?:died|die|were dead|killed yourself))\b/,
    /\b(?:world|everyone|chat) (?:would be|is|d be) better (?:off )?without (?:you|u)\b/,
    new RegExp(`\\b(?:starve|stop eating) ${gap(2)}(?:until|till|til)\\b`),
    /\b(?:you should|u should|just|go) (?:die|end it|end it all|overdose|od)\b/,
  ],
  sexual: [
    new RegExp(`\\bsend ${gap(2)}(?:nudes|noods|nude pics|nudies|naked pics|naked photos|pics of your (?:body|tits|boobs|ass|feet))\\b`),
    /\b(?:strip|get naked|undress) (?:for|on) (?:me|us|chat|cam|stream)\b/,
    /\b(?:take|pull|rip) (?:it|your|ur|that|her) (?:clothes |top |shirt |bra |panties |pants |skirt )?off (?:for|on) (?:me|us|chat|cam|stream)\b/,
    /\b(?:take|pull|rip|get) (?:your|ur|her|those|them) (?:clothes|top|shirt|bra|panties|pants|skirt|knickers|underwear) off\b/,
    new RegExp(`\\b(?:see|watch|want|show|film) ${gap(5)}(?:naked|nude|topless|undressed)\\b`),
    /\b(?:flash|show) (?:us|me|chat|the viewers|the stream) (?:your |ur |her |those |them |some )?(?:tits|boobs|titties|ass|pussy|nipples|cleavage|panties|body)\b/,
    /\bshow (?:us|me|chat) (?:your |ur |her |those |them |some )?(?:tits|boobs|titties|ass|pussy|nipples|cleavage|panties|naked body)\b/,
    /\bup (?:her|your|ur|the streamer s) (?:skirt|dress)\b|\bupskirt\b/,
    /\b(?:see|watch|want) (?:you|u|her) (?:naked|nude|topless|undressed)\b|\bnaked on (?:cam|stream)\b/,
    /\b(?:blowjob|blow job|handjob|hand job|footjob|rimjob|deepthroat)\b/,
    /\b(?:suck|lick|ride|touch) (?:my|his|your|ur) (?:dick|cock|balls|pussy|tits|ass)\b/,
    /\b(?:i want to|i wanna|i d|let me|gonna|going to) (?:fuck|bang|screw|smash|ride|rail|eat out|finger) (?:you|u|her|him|the streamer)\b/,
    /\b(?:sit|sitting) on my (?:face|lap|dick|cock)\b/,
    /\b(?:her|your|ur|nice|great|huge|big) (?:tits|boobs|titties|rack)\b/,
  ],
  idioms: [
    /\bshoot (?:you|u|him|her|them|me) (?:a|an) (?:message|text|dm|email|line|pm|invite|msg)\b/g,
    /\b(?:kill|beat|destroy|smash|wreck) (?:you|u|him|her|them) (?:in|at) (?:the |this |a |that )?(?:game|match|round|1v1|duel|race|chess|finals?|ranked|tournament)\b/g,
    /\bkill(?:ing)? it\b|\bdressed to kill\b|\bkill time\b/g,
  ],
  leak: [
    /\b(?:my|the|your) (?:system|hidden|secret|original) (?:prompt|instructions|message)\b/,
    /\bsystem prompt\b/,
    /\bmy (?:instructions|rules|guidelines|prompt|programming|directives|orders) (?:[a-z]+ly )?(?:say|says|tell me|told me|are|state|states|read|reads|forbid|prevent)\b/,
    /\bi (?:was|ve been|have been|am|m) (?:told|instructed|programmed|ordered|prompted|configured|asked) (?:never|not|to never|to not|always)\b/,
    /\bhere (?:is|are) my (?:instructions|rules|prompt|system prompt)\b/,
    /\b(?:my|the) (?:developers?|creators?|devs) (?:told|instructed|programmed) me\b/,
    /\b(?:according to|per|based on|under|as stated in|as my) my (?:system )?(?:instructions|rules|guidelines|programming|prompt|directives)\b|\bmy (?:system )?(?:instructions|prompt) (?:tell|tells|instruct|require) me\b/,
  ],
};

"""Safeguarding triage: runs before any FAQ matching, on every message.

Why this exists: a member of staff may type a child's disclosure into the same box they use
for policy questions. Answering that with an FAQ is the worst failure the product can have,
so every message is classified first:

- ``disclosure``  a child has disclosed harm or may be at risk
- ``incident``    staff report an online-safety incident they witnessed (nudes shared,
                  cyberbullying, a pupil contacting staff on personal accounts, harmful
                  content, images of pupils posted by others)
- ``allegation``  a concern about an adult who works at the school (incl. low-level concerns)
- ``question``    an ordinary policy question

How: the text is normalised (case, punctuation, leetspeak, chat abbreviations, typos of the
words that matter), then named pattern groups each detect one *signal* (a child reference, a
harm term, a disclosure verb, an adult-at-school role next to harmful conduct, ...). The
decision combines signals rather than matching whole sentences, so it generalises to messages
nobody wrote down. When in doubt between a question and a report, the report wins: the
reporting flow lets the user back out, an FAQ answer to a disclosure cannot be taken back.
Ordinary "can I / am I allowed / what does the policy say" questions about staff conduct stay
questions unless something in them is genuinely alarming.

``reasons`` are short machine-readable codes (never the user's words) so they can be logged.
Pure Python, no I/O, no botbuilder: microseconds per call.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz, process

TriageKind = Literal["disclosure", "incident", "allegation", "question"]

# Long messages are scanned in full up to this many characters; beyond it, a disclosure would
# already have shown itself, and the cap keeps the worst case fast.
MAX_SCAN_CHARS = 20_000


@dataclass(frozen=True)
class Triage:
    kind: TriageKind
    urgent: bool
    reasons: tuple[str, ...]

    @property
    def is_report(self) -> bool:
        return self.kind != "question"


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

# Leetspeak digits inside words ("n00ds", "h1ts", "s3x"); only applied to tokens that start with
# a letter, so "year 5", "15yo" and "y10" keep their numbers.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "@": "a", "$": "s"})
_YEAR_TOKEN = re.compile(r"^(?:y|yr|yrs|year)(\d{1,2})$")

# Chat abbreviations and spellings folded to one form (token -> replacement).
_ABBREVIATIONS: dict[str, str] = {
    "u": "you", "ur": "your", "r": "are", "yr": "year", "yrs": "years", "y": "year",
    "bf": "boyfriend", "gf": "girlfriend", "bfs": "boyfriends",
    "dm": "message", "dms": "messages", "dmd": "messaged", "dmed": "messaged", "dming": "messaging",
    "msg": "message", "msgs": "messages", "msgd": "messaged", "msged": "messaged", "txt": "text",
    "txts": "texts", "txtd": "texted", "txted": "texted", "texting": "texting",
    "pic": "picture", "pics": "pictures", "pix": "pictures", "piccies": "pictures", "pict": "picture",
    "vid": "video", "vids": "videos", "selfies": "selfies",
    "fb": "facebook", "insta": "instagram", "ig": "instagram", "snap": "snapchat", "sc": "snapchat",
    "tt": "tiktok", "wa": "whatsapp", "whatsap": "whatsapp",
    "stepdad": "step dad", "stepmum": "step mum", "stepmom": "step mum", "stepfather": "step dad",
    "stepmother": "step mum", "stepbrother": "step brother", "stepsister": "step sister",
    "mom": "mum", "moms": "mums", "mommy": "mummy", "daddy": "dad", "grandad": "granddad",
    "cos": "because", "coz": "because", "cuz": "because", "bc": "because",
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "tryna": "trying to",
    "pls": "please", "plz": "please", "rn": "right now", "asap": "right now",
    "noods": "nudes", "nudez": "nudes", "nudies": "nudes", "nudez": "nudes", "nood": "nude",
    "semis": "semi nudes", "sexts": "sexting", "sext": "sexting", "sexted": "sexting",
    "selfharm": "self harm", "selfharming": "self harming", "selfharmed": "self harmed",
    "sh": "self harm", "kms": "kill myself", "kys": "kill yourself",
    "teachr": "teacher", "techer": "teacher", "ta": "teaching assistant", "tas": "teaching assistants",
    "lsa": "teaching assistant", "hlta": "teaching assistant", "slt": "senior leader",
    "headteacher": "head teacher", "headmaster": "head teacher", "headmistress": "head teacher",
    "im": "i am", "ive": "i have", "id": "i would", "hes": "he is", "shes": "she is",
    "theyre": "they are", "theyve": "they have", "dont": "do not", "doesnt": "does not",
    "didnt": "did not", "wont": "will not", "cant": "can not", "cannot": "can not",
    "isnt": "is not", "wasnt": "was not", "hasnt": "has not", "havent": "have not",
    "wouldnt": "would not", "shouldnt": "should not", "aint": "is not",
    "hell": "he will", "shell": "she will", "theyll": "they will",
    "ok": "okay", "k": "okay", "alright": "okay",
    "kiddo": "kid", "kiddos": "kids", "lads": "boys", "lass": "girl",
}

# Distinctive words whose misspellings must still be caught ("sucidal", "brusies",
# "inapropriate"). Only these are fuzzy-corrected, and only tokens of 5+ letters.
_FUZZY_LEXICON: tuple[str, ...] = (
    "abused", "abusing", "abusive", "assaulted", "battered", "batters", "beating", "bruise",
    "bruises", "bruised", "bruising", "bullied", "bullying", "cyberbullying", "cyberbullied",
    "disclosed", "disclosure", "frightened", "groomed", "grooming", "harming", "inappropriate",
    "inappropriately", "injured", "injuries", "molested", "neglect", "neglected", "punched",
    "punches", "slapped", "smacked", "strangled", "suicidal", "suicide", "touched", "touching",
    "touches", "unconscious", "bleeding", "sexting", "sexually", "pornography", "exploitation",
    "exploited", "radicalised", "radicalisation", "extremist", "harassment", "harassing",
    "threatened", "threatening", "blackmail", "blackmailed", "kicked", "screenshot",
    "overdose", "weapon", "knife", "kicking", "pregnant", "scared", "worried", "concerned",
    "concern", "referral", "safeguarding", "volunteer", "caretaker", "colleague", "teacher",
    "assistant", "photographing", "photographs", "messaging", "instagram", "snapchat", "whatsapp",
    "facebook", "tiktok", "private", "privately", "personal", "accident", "hitting",
)
_FUZZY_SET = frozenset(_FUZZY_LEXICON)

# Ordinary words that sit one typo away from a lexicon word and must never be "corrected".
_NEVER_CORRECT = frozenset({
    "cruise", "cruises", "amused", "missed", "kissed", "kisses", "hissed", "sexually", "tiktok",
    "teachers", "teaching", "touchy", "concerns", "concerning", "scarred", "sacred", "weapons",
    "private", "privacy", "person", "personally", "personnel", "neglects", "abuser", "abusers",
    "worries", "worry", "referrals", "referred", "screenshots", "injury", "bleed", "knives",
    "knifed", "accidents", "accidental", "accidentally", "volunteers", "colleagues", "assistants",
    "caretakers", "punch", "beaten", "batter", "slaps", "kicks", "hitter", "bullies", "bully",
    "touch", "pregnancy", "message", "messages", "messaged", "photograph", "photographed",
    "threat", "threats", "threaten", "harass", "harassed", "disclose", "discloses", "disclosing",
    "disclosures", "concerned", "suicides", "groom", "grooms", "groomer", "exploit",
    "exploiting", "beating", "beatings", "bruiser", "sexual", "sexting", "abuse", "abuses",
    "abusive", "sharing", "shared", "staring", "started", "starting", "starts", "stated",
    "parent", "parents", "parental", "appropriate", "appropriately", "scores", "scored",
    "sacred", "screen", "screens", "bleeding", "breeding", "reading", "leading", "heading",
    "feeding", "needing", "sending", "spending", "lending", "tending", "trending", "breathing",
})

_TOKEN = re.compile(r"[a-z0-9@$]+")


@lru_cache(maxsize=65536)
def _fix_token(token: str) -> str:
    """One token folded: leetspeak, abbreviations, then fuzzy-corrected to a lexicon word."""
    if not token.isdigit() and token[0].isalpha() and not _YEAR_TOKEN.match(token):
        token = token.translate(_LEET)
    year = _YEAR_TOKEN.match(token)
    if year:
        return "year " + year.group(1)
    if token in _ABBREVIATIONS:
        return _ABBREVIATIONS[token]
    if len(token) < 5 or token in _FUZZY_SET or token in _NEVER_CORRECT or not token.isalpha():
        return token
    cutoff = 85 if len(token) >= 7 else 90
    best = process.extractOne(token, _FUZZY_LEXICON, scorer=fuzz.ratio, score_cutoff=cutoff)
    return best[0] if best else token


def normalise(text: str) -> str:
    """Lowercase, accent-free, apostrophes dropped, punctuation to spaces, tokens folded."""
    text = unicodedata.normalize("NFKD", text[:MAX_SCAN_CHARS]).lower()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['’‘`´]", "", text)
    text = re.sub(r"[\-_/]+", " ", text)  # self-harm, step-dad, ex-pupil
    return " ".join(_fix_token(tok) for tok in _TOKEN.findall(text))


# --------------------------------------------------------------------------------------------
# Pattern groups: each detects one signal in the normalised text
# --------------------------------------------------------------------------------------------

def _words(*alternatives: str) -> str:
    return r"\b(?:" + "|".join(alternatives) + r")\b"


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(_words(*alternatives))


# A child or young person is mentioned (including year groups and "one of my ...").
CHILD = _words(
    r"child(?:ren|s)?", r"kids?", r"pupils?", r"students?", r"boys?", r"girls?", r"lads?",
    r"sons?", r"daughters?", r"toddlers?", r"baby", r"babies", r"teens?", r"teenagers?",
    r"learners?", r"year \d{1,2}", r"reception", r"nursery", r"sixth formers?", r"tutee",
    r"one of (?:my|our|the) \w+", r"in my (?:class|form|group|tutor group)", r"young (?:person|people)",
    r"(?:little|younger|older|big) (?:brother|sister)", r"sibling", r"\d{1,2} ?(?:yo|year old|years old)",
    r"minor", r"under ?age", r"ex pupil", r"former pupil",
)
CHILD_RX = re.compile(CHILD)

# Someone specific is being talked about in the third person (he / she / they / a name-ish).
THIRD_PERSON_RX = _rx(r"he", r"she", r"him", r"her", r"his", r"hers", r"herself", r"himself",
                      r"themselves", r"they", r"them", r"their")

# Family members and other adults outside school: perpetrators of a disclosure, not allegations.
FAMILY = (
    r"(?:step )?(?:dad|mum|father|mother|parents?|brother|sister)", r"mummy", r"granddad",
    r"grandpa", r"grandma", r"nan", r"nana", r"gran", r"uncle", r"aunt(?:ie|y)?", r"cousin",
    r"(?:mums|dads|her|his) (?:boyfriend|girlfriend|partner)", r"boyfriend", r"girlfriend",
    r"carer", r"foster (?:carer|mum|dad|parent)", r"neighbour", r"lodger", r"family friend",
)
FAMILY_RX = _rx(*FAMILY)

# Physical harm: verbs of violence need a person after them, so "hit reply" is not a beating.
_PERSON_OBJECT = (
    r"(?:me|her|him|them|us|you|my|his|their|the|a|an|mum|mummy|dad|kids?|children|child|"
    r"pupils?|boys?|girls?|brother|sister|baby|son|daughter|herself|himself|myself|themselves)"
)
PHYSICAL_HARM_RX = re.compile(
    r"\b(?:hits?|hitting|beats?|beating|beaten|batter(?:s|ed|ing)?|punch(?:es|ed|ing)?|"
    r"kick(?:s|ed|ing)?|slap(?:s|ped|ping)?|smack(?:s|ed|ing)?|whack(?:s|ed|ing)?|"
    r"thump(?:s|ed|ing)?|chok(?:e|es|ed|ing)|strangl(?:e|es|ed|ing)|throttl(?:e|es|ed|ing)|"
    r"burn(?:s|t|ed|ing)?|bit|bites|pushe[ds]|shoved?|threw|throws?|grab(?:s|bed|bing)?|"
    r"attack(?:s|ed|ing)?|assault(?:s|ed|ing)?|leather(?:s|ed)|lamp(?:s|ed)|belt(?:s|ed)|"
    r"hurt(?:s|ing)?|harm(?:s|ed|ing)?|beat up|beats up|beaten up|bashe[ds]) " + _PERSON_OBJECT + r"\b"
    r"|\b(?:bruis(?:e|es|ed|ing)|black eye|burn marks?|marks on (?:her|his|their|my)|"
    r"injur(?:y|ies|ed)|broken (?:arm|wrist|nose|ribs?|bone)|cigarette burns?|welts?|"
    r"physically abused?|physical abuse|gets? hit|got hit|been hit|gets? beaten|got beaten|"
    r"gets? hurt|got hurt|been hurt|is hurt|was hurt|hurt at home|hiding from (?:his|her|my) \w+|"
    r"gives? (?:me|her|him) a hiding|(?:gets?|got|get) (?:a )?hiding|(?:got|get|gets|been|was|were) beat(?:en)? up|"
    r"abus(?:e|ed|ing)|abusive (?:dad|mum|father|mother|parents?|home|household|relationship|boyfriend|step \w+)|knocks? (?:me|her|him) about|domestic (?:violence|abuse)|"
    r"with a belt|with a (?:stick|shoe|wooden spoon|slipper))\b"
)

# Sexual harm, including the euphemisms children use.
SEXUAL_HARM_RX = re.compile(
    r"\btouch(?:es|ed|ing)? (?:me|her|him|them|my|his|their) (?:\w+ )?(?:down there|privates?|"
    r"private parts?|bum|bottom|chest|boobs|willy|fanny|between|in places|under)"
    r"|\btouch(?:es|ed|ing)? (?:me|her|him|them)\b(?! up)"
    r"|\btouch(?:es|ed|ing)? (?:\w+ ){0,3}(?:inappropriately|down there|private parts?|privates)"
    r"|\b(?:sexual(?:ly)? (?:abused?|assault(?:ed)?|touched|active|exploit\w*)|sexual abuse|"
    r"rap(?:e|es|ed|ing)|molest\w*|indecent(?:ly)? (?:assault|exposure|touch\w*)|"
    r"made (?:me|her|him|them) (?:touch|do (?:things|stuff|sex)|watch|suck|take off|undress|get naked)|"
    r"makes (?:me|her|him|them) (?:touch|do (?:things|stuff)|watch|undress|get naked)|"
    r"(?:secret|special) game|our (?:little )?secret|in (?:my|her|his) bed|gets into (?:my|her|his) bed|"
    r"showed (?:me|her|him|them) (?:\w+ )?(?:porn|videos of|his (?:willy|privates)|himself)|"
    r"(?:showed|shows|sent|send) (?:me|her|him) (?:\w+ )?(?:porn|dick pictures?|naked pictures?)|"
    r"sex with|had sex|having sex|oral sex|sexual (?:activity|contact|relationship)|"
    r"sleeps? with (?:her|him|a)|(?:comes?|came|coming|gets?|got|creeps?|crept) (?:in|into) (?:my|her|his|their) (?:room|bed)|"
    r"(?:pictures?|photos?|videos?) of (?:me|her|him|them) (?:in the (?:bath|shower)|naked|undressed|in (?:my|her|his|their) (?:underwear|pants))|pregnant|sti|sexually transmitted|upskirt\w*|flash(?:ed|es|ing) (?:me|her|him|them))\b"
)

# Self-harm and suicide, including the child's own words.
SELF_HARM_RX = re.compile(
    r"\b(?:self harm(?:s|ed|ing)?|harm(?:s|ed|ing)? (?:herself|himself|themselves|myself)|"
    r"cut(?:s|ting)? (?:herself|himself|themselves|myself|(?:her|his|their|my) (?:arms?|wrists?|legs?|thighs?))|"
    r"(?:cuts|scars|marks) on (?:her|his|their|my) (?:arms?|wrists?|legs?|thighs?)|"
    r"burn(?:s|ing|t)? (?:herself|himself|themselves|myself)|"
    r"suicid\w*|kill (?:herself|himself|themselves|myself|yourself)|"
    r"(?:want|wants|wanted|going|trying|tried) to die|wish (?:i|she|he|they) (?:was|were) dead|"
    r"better off dead|end (?:it all|(?:my|her|his|their) life|it)|take (?:my|her|his|their) (?:own )?life|"
    r"not (?:want to|wanting to) (?:be here|live|be alive)|not be here any ?more|no reason to live|"
    r"overdos\w*|taken (?:\w+ ){0,3}(?:pills|tablets)|swallowed (?:\w+ ){0,3}(?:pills|tablets|bleach)|"
    r"ligature|hang (?:herself|himself|themselves|myself)|"
    r"starv(?:e|es|ing) (?:herself|himself|themselves|myself)|making (?:herself|himself|myself) sick|"
    r"eating disorder|anorexi\w*|bulimi\w*)\b"
)

# Neglect, emotional abuse and a child afraid of home.
NEGLECT_RX = re.compile(
    r"\b(?:neglect\w*|no food (?:at home|in the house)|not (?:been )?fed|nothing to eat|"
    r"(?:always|really|so) hungry|hungry all the time|has not eaten|have not eaten|steal(?:s|ing) food|"
    r"same (?:dirty )?clothes|dirty clothes|smells? (?:of|really|bad)|head lice|"
    r"left (?:home )?(?:alone|on (?:her|his|their) own)|home alone|locked (?:in|out)|"
    r"nobody (?:at home|picks|looks after|feeds)|no one (?:at home|picks|looks after|feeds)|"
    r"kicked (?:me|her|him|them) out|sleeping rough|sofa surfing|homeless|"
    r"(?:scared|frightened|afraid|terrified) (?:of (?:my|her|his|their|going)|to go home|to go back)|"
    r"(?:does not|do not|doesnt|will not|wont|can not|refuses? to|refused to|not want to) (?:want to )?go (?:back )?home|"
    r"(?:mum|dad|parent|parents) (?:is|are) (?:always )?(?:drunk|high|passed out)|"
    r"(?:drinks|drinking|drunk|drugs) (?:all the time|every night|at home)|"
    r"(?:shouts|screams|swears) at (?:me|her|him|them) (?:all the time|every)|"
    r"calls (?:me|her|him|them) (?:names|stupid|useless|fat|ugly)|"
    r"(?:mum|dad|parents) (?:fight|fighting|argue)|police (?:came|were called) (?:to (?:the|our|her|his) house|round)|"
    r"young carer|no heating|no electricity|bed ?bugs)\b"
)

# Exploitation and grooming (online or off), extremism, FGM, forced marriage, trafficking.
EXPLOITATION_RX = re.compile(
    r"\b(?:groom(?:ed|ing)|exploit(?:ed|ation|ing)|cse|cce|county lines|"
    r"(?:older|grown) (?:man|men|woman|guy|boyfriend|girlfriend)|"
    r"(?:met|meeting|meet up with|talking to) (?:a |an |some |this )?(?:man|men|guy|adult|stranger|someone|person|people) (?:\w+ )?online|"
    r"(?:man|men|guy|adult|stranger|someone) (?:\w+ )?(?:met )?online|"
    r"(?:asked|asking|asks|pressured|pressuring|forced|made) (?:me|her|him|them) (?:\w+ )?(?:for|to send|to take) (?:\w+ )?(?:nudes?|naked|pictures|photos|selfies|videos)|"
    r"sextortion|blackmail\w*|threaten(?:ed|ing|s)? to (?:share|post|send|leak)|"
    r"(?:carrying|selling|running|holding) (?:drugs|weed|packages|parcels)|drug dealing|dealing drugs|"
    r"(?:given|gave|buying|buys|bought) (?:me|her|him|them) (?:a |an )?(?:new )?(?:phone|trainers|money|gifts|presents|clothes|alcohol|vapes)|"
    r"radicali[sz]\w*|extremis[tm]\w*|terroris[tm]\w*|join isis|fgm|female genital|"
    r"cut down there|forced (?:to )?marr\w*|forced marriage|(?:married|marry) (?:off|abroad|an older)|"
    r"sent abroad|honou?r based|traffick\w*|modern slavery)\b"
)

# Weapons, missing children and medical emergencies: these make a report URGENT.
URGENT_RX = re.compile(
    r"\b(?:bleeding|blood everywhere|unconscious|not breathing|(?:can not|cant|can t) breathe|"
    r"collapsed|seizure|fitting|overdos\w*|taken (?:\w+ ){0,3}(?:pills|tablets)|swallowed|ambulance|999|"
    r"knife|knives|blade|machete|gun|weapon|"
    r"missing|ran away|run away|runaway|(?:not|never) came home|has not come home|did not come home|"
    r"can not find (?:her|him|them)|(?:gone|went) missing|"
    r"right now|at the moment|currently|tonight|this evening|on the roof|on the bridge|by the river|"
    r"(?:going|about) to (?:kill|hurt|jump)|(?:will|gonna|going to) kill (?:me|her|him|them|herself|himself|myself)|"
    r"in (?:immediate )?danger|being attacked|attacking|outside (?:the )?(?:gate|school) waiting|"
    r"(?:has|have|got) (?:a )?(?:\w+ )?(?:cuts?|wounds?) (?:that|which)? ?(?:will not|wont|won t)? stop|"
    r"needs? (?:medical|an ambulance|a doctor|hospital))\b"
)

# The child's own words, typed or quoted by staff: harm done TO "me". Strong on its own.
FIRST_PERSON_HARM_RX = re.compile(
    r"\b(?:hits?|beats?|batters?|punch(?:es|ed)?|kicks?|kicked|slaps?|slapped|smacks?|smacked|"
    r"hurts?|hurt|touch(?:es|ed)?|chokes?|choked|strangled|burn(?:s|t|ed)|threw|throws|pushe[ds]|"
    r"grab(?:s|bed)|abuse[sd]?|rape[sd]?|molested|lock(?:s|ed)|starves?|will kill|going to kill|"
    r"gonna kill|wants to kill|leathers?|lamps?|bashe[ds]|whacks?|whacked|belts?) me\b"
    r"|\bi (?:want to|wanna|wanted to|am going to|will|might|just want to) (?:die|kill myself|end it|hurt myself)\b"
    r"|\bi (?:cut|burn|hurt|harm) myself\b|\bi (?:have been|been|am|keep|started) (?:self harming|cutting)\b"
    r"|\bi (?:am|feel) (?:scared|frightened|afraid|terrified) (?:of (?:my|him|her|them|going)|to go home)\b"
    r"|\bi (?:do not|will not|can not) (?:want to )?go (?:back )?home\b"
    r"|\bi (?:am|have been|get|got) (?:being )?(?:abused|hit|beaten|hurt|raped|touched)\b"
    r"|\b(?:he|she|they) (?:made|makes|make) me (?:touch|do|watch|undress|keep)\b"
    r"|\bmy (?:step )?(?:dad|mum|father|mother|brother|sister|uncle|boyfriend)\b(?: \w+){0,4} (?:hits?|hurts?|beats?|batters?|touch(?:es|ed)|shouts at|locks?) (?:me|us)\b"
)

# A disclosure verb, or staff noticing / worrying: the message reports something real.
DISCLOSURE_VERB_RX = re.compile(
    r"\b(?:told me|tells me|telling me|told (?:us|a teacher|her teacher|his teacher|the teacher|my colleague|a friend)|"
    r"said|says|saying|disclosed?|disclosing|disclosure|confided|confiding|mentioned|let slip|admitted|"
    r"opened up|came to me|come to me|wrote|written|drew|drawing|noticed|noticing|spotted|"
    r"i saw|i seen|i have seen|have seen|witnessed|showed me|shown me|"
    r"(?:i am|i was|am|really|very|bit|a little|quite|getting) (?:worried|concerned|uneasy|uncomfortable)|"
    r"worried about|concerned about|concerns? about|worry about|not sure what to do|do not know what to do|"
    r"asked me not to tell|do not tell|not to tell|keep it (?:a )?secret|promise not to tell|"
    r"(?:has|had|have) (?:got )?(?:marks|bruises|a bruise|cuts|injuries|burns)|came in with|turned up with|"
    r"i think (?:he|she|they|a|the|one)|i suspect|suspicious|something (?:is not|not|isnt) right)\b"
)

# The message narrates a real event (time words, ongoing states), rather than asking in general.
EVENT_RX = re.compile(
    r"\b(?:today|this morning|this afternoon|yesterday|last night|just now|earlier|at break|at lunch|"
    r"at playtime|in (?:my|the) (?:class|lesson)|after school|over the weekend|on monday|on friday|"
    r"has been|have been|had been|keeps?|kept|is being|are being|was being|were being|again|"
    r"i found|we found|found out|there is|theres|there are|going round|going around|circulating|"
    r"just|currently|happened|happening|this week|last week|every day|all the time)\b"
)

# Words for an adult who works at the school (a concern about them is an allegation).
ADULT_ROLE = (
    r"(?:supply |class |form |pe |music |maths |english |science |art |drama |deputy |assistant |"
    r"head |sports |swimming |football |dance )?teachers?", r"teaching assistants?", r"head teacher",
    r"(?:the|our|my|deputy|assistant) head(?! lice)", r"head of (?:year|department|house)", r"senior leader", r"coach(?:es)?", r"volunteers?", r"caretakers?",
    r"site manager", r"cleaners?", r"(?:school )?staff(?: member)?", r"member of staff",
    r"members of staff", r"colleagues?", r"co ?workers?", r"tutor", r"(?:lunchtime |midday )?supervisors?",
    r"dinner (?:lady|lady|man|staff)", r"bus driver", r"(?:school )?nurse", r"receptionist",
    r"office staff", r"governor", r"chair of governors", r"senco", r"dsl", r"mentor",
    r"instructor", r"technician", r"librarian", r"chef", r"cook", r"escort", r"minibus driver",
    r"(?:mr|mrs|ms|miss|mx|dr|sir) [a-z]+", r"sir",
)
ADULT_ROLE_RX = _rx(*ADULT_ROLE)

# Conduct by an adult at school that is harmful or breaks the code of conduct (incl. low-level).
ADULT_CONDUCT = (
    r"(?:messag|text|snapchat|dm|whatsapp|email|call|ring|phon)(?:s|es|ed|ing|ping|ped)? "
    r"(?:\w+ ){0,3}(?:pupils?|students?|child(?:ren)?|kids?|girls?|boys?|her|him|them|year \d+)",
    r"(?:follow|add|friend)(?:s|ed|ing)? (?:\w+ ){0,2}(?:pupils?|students?|kids|girls?|boys?|year \d+)",
    r"(?:photo|pictures?|photograph|video|film)(?:s|ed|ing|ing)? (?:of )?(?:\w+ ){0,3}(?:pupils?|students?|child(?:ren)?|kids|girls?|boys?|them|her|him)"
    r"(?: \w+){0,4} (?:on (?:his|her|their) (?:own |personal )?(?:phone|mobile|camera)|personal (?:phone|mobile|device))",
    r"(?:on|with) (?:his|her|their) (?:own |personal )(?:phone|mobile|instagram|snapchat|facebook|account|number)",
    r"personal (?:phone|mobile|number|account|instagram|snapchat|facebook|email)",
    r"(?:took|taking|takes|take) (?:\w+ ){0,3}(?:photos?|pictures?|videos?|selfies?)",
    r"inappropriate(?:ly)?", r"sexual\w*", r"flirt\w*", r"(?:comments?|remarks?|jokes?) about (?:\w+ ){0,2}(?:body|bodies|appearance|looks|chest|bum|legs|figure|weight)",
    r"(?:relationship|dating|going out|sleeping) with (?:a |an |one of )?(?:\w+ )?(?:pupils?|students?|sixth formers?|year \d+|girls?|boys?)",
    r"(?:gave|gives|giving|offered) (?:\w+ ){0,2}(?:a )?lifts?", r"lifts? home", r"alone with",
    r"(?:gifts?|presents?|money|sweets) (?:to|for) (?:\w+ ){0,2}(?:pupils?|students?|child|her|him|girls?|boys?)",
    r"favourites?", r"(?:grab|grabbed|grabs|grabbing|shoved|pushed|restrain\w*|dragged|manhandled|shook)",
    r"(?:shout\w*|scream\w*|swore|swears|swearing|yell\w*) at", r"(?:hugs|hugging|kissed|kisses|kissing|tickl\w*|cuddl\w*)",
    r"(?:on (?:his|her) )?lap", r"drunk", r"smell\w* of (?:alcohol|drink|booze|weed)", r"hung ?over", r"(?:was|is|seemed|looked|seems|looks) high",
    r"humiliat\w*", r"belittl\w*", r"(?:racist|homophobic|sexist) (?:comments?|remarks?|language|jokes?)",
    r"(?:looking|look|looked|looks|staring|stares|stared) at (?:\w+ ){0,2}(?:girls|boys|pupils|chest|bum)",
    r"changing rooms?", r"toilets? with", r"porn\w*", r"indecent", r"secret",
)
ADULT_CONDUCT_RX = _rx(*ADULT_CONDUCT)

# A role within a few words before a conduct or harm term: "mr jones has been messaging a girl".
ADULT_ACTS_RX = re.compile(
    _words(*ADULT_ROLE) + r"(?: \w+){0,5} (?:"
    + _words(*ADULT_CONDUCT)
    + r"|\b(?:hits?|hit|hitting|slap\w*|smack\w*|punch\w*|kick\w*|hurt\w*|touch\w*|assault\w*|abus\w*|"
    r"threw|throws|bruis\w*|molest\w*|groom\w*|rap(?:e|ed)|strangl\w*|chok\w*|threaten\w*)\b)"
)

# A concern about an adult named outright, including self-reports and the formal words.
ADULT_CONCERN_RX = re.compile(
    r"\b(?:(?:worried|concern(?:ed|s)?|uneasy|uncomfortable|suspicious) (?:about|with|regarding|over|by) "
    r"(?:a |my |one of (?:my|our|the) |the |our |another )?(?:\w+ )?(?:colleagues?|teachers?|members? of staff|staff members?|"
    r"teaching assistants?|coach|volunteer|caretaker|head teacher|head|supply teacher|(?:mr|mrs|ms|miss|mx|dr) [a-z]+)|"
    r"low level concerns?|lado|allegations? (?:about|against) |whistle ?blow\w*|self report\w*|"
    r"report (?:myself|a colleague|a member of staff|a teacher|my colleague|the head)|"
    r"i (?:accidentally|mistakenly|may have|might have|think i) (?:\w+ ){0,4}(?:pupils?|students?|child)\b)"
)

# Online-safety incident types.
NUDES_RX = re.compile(
    r"\b(?:nudes?|semi nudes?|sexting|naked (?:pictures?|photos?|images?|selfies?|videos?)|"
    r"(?:pictures?|photos?|images?|selfies?|videos?) of (?:her|him|them|herself|himself|themselves) naked|"
    r"explicit (?:pictures?|photos?|images?|videos?|selfies?|content|messages)|indecent (?:pictures?|photos?|images?|videos?)|"
    r"dick pictures?|topless (?:pictures?|photos?|selfies?)|sexual (?:pictures?|photos?|images?|videos?)|"
    r"youth produced sexual imagery|sexual imagery|inappropriate (?:pictures?|photos?|images?|selfies?))\b"
)
CYBERBULLYING_RX = re.compile(
    r"\b(?:cyber ?bull\w*|bull(?:ied|ying|ies) (?:\w+ )?(?:online|on (?:\w+ )?(?:snapchat|instagram|tiktok|whatsapp|facebook|group chats?|xbox|roblox|discord))|"
    r"(?:nasty|horrible|abusive|threatening|hateful|mean|vile|racist|homophobic|sexist) (?:\w+ )?(?:messages|comments|posts|texts|videos|stuff|things|names|memes)|"
    r"troll\w*|fake (?:\w+ ){0,2}(?:account|profile|page)|hate (?:page|account)|impersonat\w*|"
    r"group chat|filmed (?:a |the )?fight|happy slapping|posted (?:a )?(?:video|picture|photo) (?:of )?(?:\w+ )?(?:fighting|being)|"
    r"excluded from (?:the )?(?:group|chat)|(?:rumours?|lies) (?:about (?:her|him|them) )?(?:online|on snapchat|on instagram|on tiktok))\b"
)
PUPIL_CONTACT_RX = re.compile(
    r"\b(?:pupils?|students?|child|kid|girl|boy|year \d+|ex pupil|former pupil|one of my)\b(?: \w+){0,6} "
    r"(?:messag\w*|text\w*|follow\w*|add(?:ed|s|ing)?|friend request\w*|sent (?:me )?(?:a )?friend request|"
    r"request\w*|found|contact\w*|call\w*|rang|phoned|snapchat\w*|tagged|emailed|dm\w*) "
    r"(?:\w+ ){0,4}(?:me|my)\b(?: \w+){0,4}"
    r"|\b(?:pupil|student|kid|child) (?:has|have|got|found) my (?:number|personal|instagram|snapchat|facebook|email|address)"
)
PERSONAL_ACCOUNT_RX = _rx(
    r"personal", r"my (?:own )?(?:phone|mobile|number)", r"instagram", r"snapchat", r"facebook",
    r"tiktok", r"whatsapp", r"twitter", r"x", r"linkedin", r"discord", r"my account", r"home email",
    r"(?:friend|follow) request\w*", r"followed me", r"added me",
)
HARMFUL_CONTENT_RX = re.compile(
    r"\b(?:(?:watching|watched|viewing|viewed|showing|showed|sharing|shared|found|searching|searched|looking at|looked at|accessed|access) "
    r"(?:\w+ ){0,3}(?:porn\w*|violent (?:videos?|content|images?)|beheading|gore|extremist (?:content|material|videos?)|"
    r"self harm (?:content|videos?|images?)|pro ana|suicide (?:videos?|content)|inappropriate (?:videos?|content|websites?|sites?|images?)|"
    r"adult (?:content|sites?|websites?)|(?:how to|ways to) (?:kill|hurt|make a bomb))|"
    r"(?:filter(?:ing)?|monitoring|smoothwall|securus|impero) (?:alert|flagged|caught|picked up)|"
    r"(?:flagged|caught|picked up) (?:by|on) (?:the )?(?:filter|monitoring|smoothwall))\b"
)
IMAGES_POSTED_RX = re.compile(
    r"\b(?:posted|uploaded|shared|put|sharing|posting|uploading|putting) (?:\w+ ){0,3}(?:photos?|pictures?|videos?|images?|footage|clips?) "
    r"(?:\w+ ){0,6}(?:pupils?|students?|children|child|kids|our|school|class|nativity|sports day|play|trip|uniform|my class)"
    r"|\b(?:photos?|pictures?|videos?|images?) of (?:\w+ ){0,3}(?:pupils?|students?|children|kids|our|the class) "
    r"(?:\w+ ){0,4}(?:online|on (?:facebook|instagram|tiktok|snapchat|twitter|x|youtube|social media|a (?:website|page|group))|posted|been posted|went up)"
    r"|\b(?:account|page|site) (?:\w+ ){0,3}(?:hacked|compromised)|hacked|data breach|leaked"
)

# The user says outright they want to report / refer / raise something.
REPORT_INTENT_RX = re.compile(
    r"\b(?:(?:(?:i|we) )?(?:need|needs|want|wanted|have|would like|must|got|ought|am going|should) to "
    r"(?:report|raise|log|record|make (?:a |an )?(?:referral|report|disclosure)|refer|flag|pass on|tell (?:the )?dsl|let (?:the )?dsl know)|"
    r"(?:report|raise|log|record|flag|submit|file|make) (?:a |an |this |my )?(?:safeguarding |welfare |child protection )?"
    r"(?:concern|disclosure|incident|referral|worry|allegation)|"
    r"(?:how|where|who) (?:do|can|should) (?:i|we) (?:report|raise|log|record|refer|flag)|"
    r"make a referral|making a referral|refer (?:a |this )?(?:child|pupil|student)|"
    r"safeguarding (?:concern|issue|matter|incident)|welfare concern|child protection concern|"
    r"(?:put|log|record|add|write) (?:\w+ ){0,3}(?:on|in|onto) (?:cpoms|myconcern|my concern))\b"
)

# Generic worry about a child without a harm word: "I'm worried about a boy in my class".
CHILD_WORRY_RX = re.compile(
    r"\b(?:worried|concerned|worry|concerns?|uneasy|not sure) (?:about|for|regarding) (?:a |an |the |one of (?:my|our|the) |this |my |our )?"
    r"(?:\w+ ){0,2}(?:child|pupil|student|boy|girl|kid|year \d+|learner|young person|her|him|them|tutee|\w+s (?:welfare|safety))"
    r"|\b(?:something (?:is |isnt )?(?:not |isnt )?(?:right|going on) (?:at home|with (?:her|him|them)))"
    r"|\b(?:at risk|not safe|unsafe|in danger|welfare|wellbeing) (?:\w+ ){0,2}(?:at home|child|pupil|her|him)"
    r"|\b(?:child|pupil|student|boy|girl|he|she) (?:\w+ ){0,3}(?:is|are|was|seems?|seemed|looks?|looked) (?:\w+ ){0,2}(?:at risk|unsafe|not safe|in danger|scared|frightened|terrified|withdrawn)"
    r"|\b(?:wants|want|wanted|asked) to tell (?:me|you|someone) (?:a )?secret"
)

# Policy-question frames: asking about the rules, not reporting an event.
CONDUCT_QUESTION_RX = re.compile(
    r"^(?:(?:hi|hello|hey|quick question|question|sorry|please) )*"
    r"(?:(?:can|could|may|should|must|do|would|shall) (?:i|we|staff|teachers|a teacher|you|teaching assistants|parents|pupils|students|volunteers|governors|someone|anyone)|"
    r"am i (?:allowed|ok|okay|permitted|able)|are (?:we|staff|teachers|parents|pupils|students|volunteers) (?:allowed|ok|okay|permitted|able)|"
    r"is it (?:okay|ok|alright|fine|acceptable|allowed|appropriate|against|a problem|legal|wrong)|"
    r"is (?:it|there) (?:a|any) (?:rule|policy|problem)|"
    r"what (?:does|do|is|are|s) (?:the |our |my |a |an )?(?:school |schools )?(?:policy|policies|rule|rules|guidance|procedure|code)|"
    r"whats the (?:policy|rule|guidance|procedure)|what is the (?:policy|rule|guidance|procedure)|"
    r"what (?:happens|are the consequences) if|who (?:is|are) (?:the|our|my)|where (?:is|can i find|do i find)|"
    r"how (?:do|can|should) i (?:set|change|make|check|find|use|keep|stop|block|turn|delete|remove|hide|update))\b"
)
POLICY_ABOUT_RX = re.compile(
    r"\b(?:what (?:does|do) (?:the |our )?(?:school |schools )?(?:policy|policies|guidance|procedure|kcsie|rules?) (?:say|says|state)|"
    r"(?:is there|do we have|have we got) (?:a |any )?(?:policy|guidance|procedure|rule)|"
    r"(?:policy|guidance|procedure|rules?) (?:on|about|for|regarding)|"
    r"what (?:counts|classes) as|what is (?:a |an |the )?(?:definition|meaning)|define|definition of|"
    r"what (?:is|are) (?:a |an |the )?(?:low level concerns?|lado|dsl|allegation|disclosure|cyberbullying|sexting|grooming|neglect|self harm)|"
    r"training (?:on|about|for)|signs of|how (?:to|do (?:i|we)) (?:spot|recognise|recognize|teach|talk to pupils about|educate))\b"
)
# Hypothetical: "what should I do if a pupil adds me" (a general question, not an event).
HYPOTHETICAL_RX = re.compile(
    r"\b(?:what (?:should|do|would|must|can) (?:i|we|staff) do|what happens|how (?:should|do) (?:i|we) (?:respond|handle|deal))\b"
    r"(?: \w+){0,3} (?:if|when)\b|^(?:if|when|what if|suppose|say) (?:a|an|one|my|the|someone|somebody)\b"
)


# --------------------------------------------------------------------------------------------
# Decision
# --------------------------------------------------------------------------------------------

_HARM_GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("harm_sexual", SEXUAL_HARM_RX),
    ("harm_self", SELF_HARM_RX),
    ("harm_exploitation", EXPLOITATION_RX),
    ("harm_physical", PHYSICAL_HARM_RX),
    ("harm_neglect", NEGLECT_RX),
)
# Harm so serious that any mention with a child or person in view goes to the reporting flow,
# even inside a question ("should I tell anyone if a pupil says he is cutting himself?").
_SEVERE = frozenset({"harm_sexual", "harm_self", "harm_exploitation"})

_INCIDENT_GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("incident_nudes", NUDES_RX),
    ("incident_cyberbullying", CYBERBULLYING_RX),
    ("incident_harmful_content", HARMFUL_CONTENT_RX),
    ("incident_images_posted", IMAGES_POSTED_RX),
)

_QUESTION = Triage("question", False, ())


def classify(text: str) -> Triage:
    """Classify one chat message. Never raises for any str; non-str input is treated as empty."""
    if not isinstance(text, str):
        return Triage("question", False, ("empty",))
    t = normalise(text)
    if not t:
        return Triage("question", False, ("empty",))
    return _decide(t)


def _decide(t: str) -> Triage:
    reasons: list[str] = []

    harms = [code for code, rx in _HARM_GROUPS if rx.search(t)]
    first_person = bool(FIRST_PERSON_HARM_RX.search(t))
    child = bool(CHILD_RX.search(t))
    person = child or bool(THIRD_PERSON_RX.search(t)) or bool(FAMILY_RX.search(t))
    told = bool(DISCLOSURE_VERB_RX.search(t))
    event = bool(EVENT_RX.search(t))
    worry = bool(CHILD_WORRY_RX.search(t))
    report_intent = bool(REPORT_INTENT_RX.search(t))
    urgent_signal = bool(URGENT_RX.search(t))

    conduct_question = bool(CONDUCT_QUESTION_RX.search(t))
    policy_about = bool(POLICY_ABOUT_RX.search(t))
    hypothetical = bool(HYPOTHETICAL_RX.search(t))
    general_question = conduct_question or policy_about

    adult_acts = bool(ADULT_ACTS_RX.search(t))
    adult_concern = bool(ADULT_CONCERN_RX.search(t))
    adult_role = bool(ADULT_ROLE_RX.search(t))

    incidents = [code for code, rx in _INCIDENT_GROUPS if rx.search(t)]
    if PUPIL_CONTACT_RX.search(t) and PERSONAL_ACCOUNT_RX.search(t):
        incidents.append("incident_pupil_contact")

    # A specific, real situation is being described (not a general "can I" question).
    specific = told or event or first_person or worry or report_intent

    # --- disclosure evidence ---------------------------------------------------------------
    disclosure = False
    if first_person:
        reasons.append("child_words_first_person")
        disclosure = True
    severe = [h for h in harms if h in _SEVERE]
    if severe and (person or told) and not (policy_about and not specific):
        disclosure = True
    if harms and (person or told) and (specific or not general_question):
        disclosure = True
    if worry:
        disclosure = True
    if urgent_signal and (child or (person and (harms or told))) and not (general_question and not specific):
        # a missing child, a child with a knife, a child collapsed: at risk now
        if _URGENT_ON_ITS_OWN_RX.search(t) or harms or told:
            disclosure = True
    if disclosure:
        reasons.extend(harms or ["child_at_risk"])
        if told:
            reasons.append("disclosure_verb")
        if worry:
            reasons.append("staff_worried")

    # --- allegation evidence ---------------------------------------------------------------
    # A role acting harmfully in a real situation, or a concern about an adult stated outright.
    specific_adult = bool(_SPECIFIC_ADULT_RX.search(t))
    allegation = (adult_concern and (specific or not general_question)) or (
        adult_acts and (specific or specific_adult or harms or not general_question)
    )
    if allegation:
        reasons.append("adult_at_school")
        reasons.append("adult_conduct" if adult_acts else "adult_concern")

    # --- incident evidence -----------------------------------------------------------------
    serious_incident = any(i in ("incident_nudes", "incident_harmful_content") for i in incidents)
    incident = bool(incidents) and (
        specific
        or (serious_incident and not policy_about and not conduct_question)
        or (not general_question and not hypothetical)
    )
    if incident and hypothetical and not (told or event or report_intent) and not serious_incident:
        incident = False
    if incident:
        reasons.extend(incidents)

    # --- explicit intent to report -----------------------------------------------------------
    if report_intent:
        reasons.append("report_intent")

    # --- choose -------------------------------------------------------------------------------
    kind: TriageKind
    if allegation and (adult_acts or adult_concern):
        # Harm by an adult who works at the school is an allegation even when a child told us.
        kind = "allegation"
    elif disclosure and incident:
        # Grooming / an adult asking a child for images is abuse: the child is at risk.
        kind = "disclosure" if (severe or first_person or "harm_physical" in harms or worry) and not (
            incidents == ["incident_nudes"] and not severe and not first_person) else "incident"
        if "harm_exploitation" in harms:
            kind = "disclosure"
    elif disclosure:
        kind = "disclosure"
    elif incident:
        kind = "incident"
    elif report_intent:
        if adult_role and not child:
            kind = "allegation"
        elif incidents or INCIDENT_WORD_RX.search(t):
            kind = "incident"
        elif adult_role and ADULT_CONDUCT_RX.search(t):
            kind = "allegation"
        else:
            kind = "disclosure"
    else:
        return _QUESTION

    urgent = urgent_signal and (kind != "question") and (
        bool(_URGENT_ON_ITS_OWN_RX.search(t)) or bool(harms) or first_person or told
    )
    if urgent:
        reasons.append("urgent")
    return Triage(kind, urgent, tuple(dict.fromkeys(reasons)))


# Urgent words that signal danger by themselves (unlike "tonight" or "right now", which need harm).
_URGENT_ON_ITS_OWN_RX = re.compile(
    r"\b(?:bleeding|blood everywhere|unconscious|not breathing|(?:can not|cant) breathe|collapsed|seizure|"
    r"overdos\w*|taken (?:\w+ ){0,3}(?:pills|tablets)|swallowed (?:\w+ ){0,3}(?:pills|tablets|bleach)|ambulance|999|"
    r"knife|knives|blade|machete|gun|weapon|missing|ran away|run away|runaway|(?:not|never) came home|"
    r"has not come home|did not come home|can not find (?:her|him|them)|in (?:immediate )?danger|"
    r"being attacked|(?:will|going to) kill (?:me|her|him|them|herself|himself|myself)|on the roof|on the bridge|"
    r"needs? (?:medical|an ambulance|a doctor|hospital))\b"
)

# A particular adult, not adults in general: "mr jones", "my colleague", "one of the TAs".
_SPECIFIC_ADULT_RX = re.compile(
    r"\b(?:(?:mr|mrs|ms|miss|mx|dr) [a-z]+|(?:my|a|one of (?:the|our|my)|our|this|that|the new|another) "
    r"(?:\w+ )?(?:colleagues?|teachers?|teaching assistants?|coach|volunteer|caretaker|member of staff|staff member|supply teacher|head teacher|head|tas?|cleaner|tutor))\b"
)

# Words that name an online-safety incident without saying which kind ("report an e-safety incident").
INCIDENT_WORD_RX = re.compile(
    r"\b(?:online safety|e ?safety|incident|breach|online|social media|internet|hacked|images?|pictures?|photos?)\b"
)

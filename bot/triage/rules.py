"""Safeguarding triage, the rule layer: named patterns that are the floor under the learned layer.

Why this exists: a member of staff may type a child's disclosure into the same box they use
for policy questions. Answering that with an FAQ is the worst failure the product can have,
so every message is classified first:

- ``disclosure``  a child has disclosed harm or may be at risk
- ``incident``    staff report an online-safety incident they witnessed (nudes shared,
                  cyberbullying, a pupil contacting staff on personal accounts, harmful
                  content, images of pupils posted by others)
- ``allegation``  a concern about an adult who works at the school (incl. low-level concerns)
- ``question``    an ordinary policy question

How: the text is normalised (case, punctuation, leetspeak, chat abbreviations, US spellings,
typos of the words that matter), then named pattern groups each detect one *signal* (a child
reference, a harm term, a disclosure verb, an adult-at-school role next to harmful conduct, a
question frame, ...). `_decide` combines signals rather than matching whole sentences, so it
generalises to messages nobody wrote down:

- serious harm (sexual, self-harm, exploitation, secrecy) with a person in view -> disclosure,
  even inside a question, unless it only asks what the policy says / how to teach it;
- other harm or broad risk words -> disclosure when the message describes a real situation
  (a telling verb, time words, "I'm worried") or is not phrased as a question;
- "a pupil told me ..." as a statement -> disclosure even with no harm word (recall safety net);
- an adult-at-school role acting harmfully -> allegation (takes precedence: it routes to the
  head, not the DSL); online-safety incident types narrated as events -> incident;
- an explicit intent to report ("I need to report a concern") -> the matching flow, defaulting
  to disclosure; "do I have to report ...?" is a procedure question.

When in doubt between a question and a report, the report wins: the reporting flow lets the
user back out, an FAQ answer to a disclosure cannot be taken back. Ordinary "can I / am I
allowed / what does the policy say" questions about staff conduct stay questions unless
something in them is genuinely alarming.

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

TriageKind = Literal["disclosure", "incident", "allegation", "question", "confirm"]

# Slack's own limit for one message; Teams' is lower. Everything a platform can deliver is
# scanned (a disclosure may come at the end of a long message); the cap only bounds the cost
# of input that did not come from a chat platform.
MAX_SCAN_CHARS = 40_000


@dataclass(frozen=True)
class Triage:
    """Where a message goes. `confirm`: it may be about a child's safety and the bot is not
    sure, so it asks ("Report a concern" / "It's a policy question"); `likely` is then the
    report kind it would start."""
    kind: TriageKind
    urgent: bool
    reasons: tuple[str, ...]
    likely: str = ""

    @property
    def is_report(self) -> bool:
        return self.kind not in ("question", "confirm")


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
    "req": "request", "reqs": "requests", "requested": "requested", "msg": "message", "msgs": "messages", "msgd": "messaged", "msged": "messaged", "txt": "text",
    "txts": "texts", "txtd": "texted", "txted": "texted", "texting": "texting",
    "pic": "picture", "pics": "pictures", "pix": "pictures", "piccies": "pictures", "pict": "picture",
    "vid": "video", "vids": "videos", "selfies": "selfies",
    "fb": "facebook", "insta": "instagram", "ig": "instagram", "snap": "snapchat", "sc": "snapchat",
    "tt": "tiktok", "wa": "whatsapp", "whatsap": "whatsapp",
    "stepdad": "step dad", "stepmum": "step mum", "stepmom": "step mum", "stepfather": "step dad",
    "stepmother": "step mum", "stepparent": "step parent", "stepparents": "step parents", "stepbrother": "step brother", "stepsister": "step sister",
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
    "neighbor": "neighbour", "neighbors": "neighbours", "behavior": "behaviour", "behaviors": "behaviours",
    "favorite": "favourite", "favorites": "favourites", "counselor": "counsellor", "mother": "mum",
    "mothers": "mums", "father": "dad", "fathers": "dads", "stepfathers": "step dads", "kindergartner": "child",
    "grader": "pupil", "graders": "pupils", "homeroom": "form", "cellphone": "phone", "cell": "mobile",
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
    # Swapped letters ("brusies", "sucidal" is handled below): same letters, one adjacent swap.
    for candidate in _BY_LETTERS.get("".join(sorted(token)), ()):
        if _one_adjacent_swap(token, candidate):
            return candidate
    # A dropped vowel ("touchd", "abusd", "scard"): consonant skeletons rarely collide.
    if token in _VOWEL_DROPPED:
        return _VOWEL_DROPPED[token]
    # Other dropped or doubled letters in long words only: a short real word is too often one edit
    # away from a lexicon word ("eating" / "beating", "setting" / "sexting").
    if len(token) < 7:
        return token
    best = process.extractOne(token, _FUZZY_LEXICON, scorer=fuzz.ratio, score_cutoff=88)
    return best[0] if best else token


_BY_LETTERS: dict[str, tuple[str, ...]] = {}
for _word in _FUZZY_LEXICON:
    _BY_LETTERS.setdefault("".join(sorted(_word)), ())
    _BY_LETTERS["".join(sorted(_word))] += (_word,)


_VOWEL_DROPPED: dict[str, str] = {
    _word[:_i] + _word[_i + 1:]: _word
    for _word in _FUZZY_LEXICON
    for _i in range(1, len(_word))
    if _word[_i] in "aeiou" and len(_word) >= 6
}


def _one_adjacent_swap(a: str, b: str) -> bool:
    diff = [i for i in range(len(a)) if a[i] != b[i]] if len(a) == len(b) else []
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


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
    r"learners?", r"year \d{1,2}s?", r"classmates?", r"peers?", r"reception", r"nursery", r"sixth formers?", r"tutee",
    r"one of (?:my|our|the) \w+", r"one of (?:mine|ours)", r"in my (?:class|form|group|tutor group)", r"young (?:person|people)",
    r"(?:little|younger|older|big) (?:brother|sister)", r"sibling", r"\d{1,2} ?(?:yo|year old|years old)",
    r"minor", r"under ?age", r"ex pupil", r"former pupil", r"kindergarten", r"preschool\w*",
    r"(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth) grade",
)
CHILD_RX = re.compile(CHILD)

# Someone specific is being talked about in the third person (he / she / they).
THIRD_PERSON_RX = _rx(r"he", r"she", r"him", r"her", r"his", r"hers", r"herself", r"himself",
                      r"themselves", r"they", r"them", r"their")

# Family members and other adults outside school: perpetrators of a disclosure, not allegations.
FAMILY = (
    r"(?:step )?(?:dad|mum|father|mother|parents?|brother|sister)", r"mummy", r"granddad",
    r"grandpa", r"grandma", r"nan", r"nana", r"gran", r"uncle", r"aunt(?:ie|y)?", r"cousin",
    r"(?:mums|dads|her|his) (?:boyfriend|girlfriend|partner)", r"boyfriend", r"girlfriend",
    r"(?:mums|dads|parents|familys|brothers|sisters) (?:friends?|mates?)",
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
    r"|\b(?:bruis(?:e|es|ed|ing)|black eye|burn marks?|marks? on (?:\w+ ){0,4}(?:her|his|their|my)|"
    r"(?:hand ?print|finger ?tip|finger ?print|finger|grip|bite|belt|strap|lash)(?: marks?|s)? on|hand ?prints?|flinch\w*|"
    r"(?:get|gets|got|getting|give|gives) (?:him |her |me |them )?a (?:beating|hiding|smack|slap|kicking|good hiding)|"
    r"threaten(?:s|ed|ing)? (?:me|her|him|them)|(?:he|she|they) scares? (?:me|her|him|them)|"
    r"lost (?:loads of |a lot of |so much )?weight|in the shape of (?:a )?(?:hand|fingers?|belt|buckle)|"
    r"lock(?:s|ed|ing)? (?:me|her|him|them) (?:in|out|up)|"
    r"injur(?:y|ies|ed)|broken (?:arm|wrist|nose|ribs?|bone)|cigarette burns?|welts?|"
    r"physically abused?|physical abuse|gets? hit|got hit|been hit|gets? beaten|got beaten|"
    r"gets? hurt|got hurt|been hurt|is hurt|was hurt|hurt at home|hiding from (?:his|her|my) \w+|"
    r"gives? (?:me|her|him) a hiding|(?:gets?|got|get) (?:a )?hiding|(?:got|get|gets|been|was|were) beat(?:en)? up|"
    r"(?<!racist )(?<!verbal )(?<!homophobic )(?<!online )abus(?:e|ed|ing)|abusive (?:dad|mum|father|mother|parents?|home|household|relationship|boyfriend|step \w+)|knocks? (?:me|her|him) about|domestic (?:violence|abuse)|"
    r"with a belt|with a (?:stick|shoe|wooden spoon|slipper))\b"
)

# Sexual harm, including the euphemisms children use.
SEXUAL_HARM_RX = re.compile(
    r"\btouch(?:es|ed|ing)? (?:me|her|him|them|my|his|their) (?:\w+ )?(?:down there|privates?|"
    r"private parts?|bum|bottom|chest|boobs|willy|fanny|between|in places|under)"
    r"|\btouch(?:es|ed|ing)? (?:me|her|him|them)\b(?! up)"
    r"|\btouch(?:es|ed|ing)? (?:the |other |younger |little )?(?:girls|boys|children|kids|pupils)\b"
    r"|\b(?:sexual(?:ised|ized)? (?:stuff|things|behaviou?r|language|play|games?)|acting out sex\w*|"
    r"(?:shouldnt|should not|should not) know about|feel (?:funny|weird|uncomfortable) down there|"
    r"play(?:s|ed|ing)? (?:doctors|mummies and daddies)|sexual acts?|sexually explicit (?:drawings?|behaviou?r|language|play)|"
    r"(?:photos?|photographs?|pictures?|videos?) of (?:me|her|him|them) (?:\w+ )?(?:without (?:any )?(?:clothes|clothing)|undressed|in (?:my|her|his|their) underwear)|"
    r"(?:visits?|visited|visiting|enters?|entered|goes into|went into) (?:\w+ )?(?:my|her|his|their) (?:bed ?room|room|bed)|normal for (?:grown ?ups?|adults?|(?:my |her |his )?(?:dad|daddy|mum|uncle|step \w+)) to)\b"
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
    r"\b(?:self harm(?:s|ed|ing)?(?! (?:videos?|content|images?|pictures?|posts?|sites?|websites?|accounts?))|harm(?:s|ed|ing)? (?:herself|himself|themselves|myself)|"
    r"cut(?:s|ting)? (?:herself|himself|themselves|myself|(?:her|his|their|my) (?:arms?|wrists?|legs?|thighs?))|"
    r"(?:cuts|scars|marks|scratches|burns) on (?:her|his|their|my) (?:arms?|forearms?|wrists?|legs?|thighs?|stomach|hands?)|"
    r"(?:fresh|new|deep|self inflicted) (?:cuts|scars|wounds|scratches|burns)|"
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
    r"young carer|bed ?bugs|underfed|malnourish\w*|unkempt|untreated|without (?:a )?(?:coat|food|lunch|shoes)|"
    r"(?:not|does not|do not|never) feels? safe|unsafe at home|sleep(?:s|ing)? in (?:a|the|his|her|their) (?:car|van|park)|"
    r"absent for (?:\w+ ){0,2}(?:weeks|days|months)|left the country|taken (?:out of the country|abroad)|"
    r"(?:appears?|seems?|seemed|looks?|looked|has become|became|become|becoming|is|was|been|very|really|so) (?:\w+ ){0,2}"
    r"(?:withdrawn|anxious|distressed|fearful|jumpy|on edge|frightened|terrified)|"
    r"(?:keeps?|kept|has|have|got) (?:a |an )?(?:\w+ )?(?:guns?|knife|knives|weapons?|firearms?) (?:under|in|at|behind)|"
    r"(?:guns?|knife|knives|weapons?|firearms?) (?:under|in) (?:the|his|her|their|my) (?:bed|house|home|drawer|wardrobe|room)|"
    r"no (?:heating|food|electric\w*|gas|water|hot water|bed)|(?:electric\w*|gas|heating) (?:\w+ )?cut off|"
    r"better than (?:being )?(?:at )?home|(?:not|never) want(?:s|ed)? to go (?:to (?:my|her|his|their) \w+|back)|"
    r"no (?:grown ?ups?|adults?|one|parents?) (?:at home|in the house|there)|"
    r"(?:does not|do not|doesnt) want to go to (?:my|her|his|their) (?:dads|mums|house|home|uncles|nans)|"
    r"(?:does not|do not|not) want to (?:go|be|stay) (?:back )?(?:at |to )?(?:home|mine|his|hers|theirs|(?:my|her|his|their) (?:house|place))|"
    r"come home with you|in case (?:my |his |her |their )?(?:dad|mum|step \w+|he|she|they|uncle|boyfriend) (?:comes?|gets?|finds?)|"
    r"(?:seems?|seemed|looks?|looked|appears?|appeared|is|was|gets?) (?:really |very |so |quite )?(?:frightened|scared|terrified|afraid) (?:of|when)|"
    r"(?:scared|frightened|terrified|afraid) of (?:him|them|her (?:dad|mum|step \w+|uncle|boyfriend)|his (?:dad|mum|step \w+|uncle))|"
    r"(?:not|has not|hasnt|have not) been (?:in|seen) (?:school )?for (?:\w+ ){0,2}(?:weeks|days)|"
    r"(?:family|parents?|mum|dad) (?:are not|is not|not|are|is) (?:answering|responding|picking up)|"
    r"(?:can not|cant) (?:contact|reach|get hold of) (?:the |her |his )?(?:family|parents|mum|dad))\b"
)

# Broad risk vocabulary: single words and short phrases that, said about a child, signal a
# welfare concern even when none of the specific patterns above fit. The safety net for recall.
RISK_WORDS_RX = re.compile(
    r"\b(?:swollen|swelling|cuts?|wounds?|scars?|scratches|burns?|burnt|bleed\w*|bloody|bruis\w*|injur\w*|fractur\w*|limp\w*|"
    r"intoxicated|aggressive|violen\w*|controls?|controlling|coercive|coerced|worthless|unloved|unwanted|nobody wants|"
    r"forced|forces|forcing|pressured|pressuring|cannabis|drugs?|weed|dealing|trafficked|passport|intimate|explicit|"
    r"sexual\w*|assault\w*|ending (?:his|her|their|my) life|end (?:his|her|their|my) life|life is not worth|"
    r"soiled|toothache|dentist|medical (?:needs|care|appointments)|medication|care for (?:her|his|their) (?:\w+ )?(?:siblings|brothers?|sisters?)|"
    r"not allowed to (?:eat|leave|go out|see|speak|talk|have)|made a woman|ceremony|cutting|circumcis\w*|"
    r"\d{2} ?(?:year old|yo|years old) (?:man|woman|guy|men|adult)|keep (?:\w+ ){0,2}(?:private|between (?:us|them|you and me))|"
    r"(?:would not|will not|wont|refused to|refuses to|could not|can not) (?:explain|say|tell me) (?:how|where|what happened|why)|"
    r"stranger|strangers|scared|frightened|terrified|afraid|crying|cries|distressed|upset about home|"
    r"punish\w*|threat\w*|hate (?:him|her|them|me)|hates (?:him|her|them|me)|kill\w*|die|dead|death|"
    r"fight\w*|police|arrested|prison|social (?:worker|services|care)|child protection|domestic|refuge|evict\w*)\b"
)

# Exploitation and grooming (online or off), extremism, FGM, forced marriage, trafficking.
EXPLOITATION_RX = re.compile(
    r"\b(?:groom(?:ed|ing)|exploit(?:ed|ation|ing)|cse|cce|county lines|"
    r"(?:older|grown) (?:man|men|woman|guy|boyfriend|girlfriend)(?! (?:are |is )?comment\w*)|"
    r"(?:met|meeting|meet up with|talking to) (?:a |an |some |this )?(?:man|men|guy|adult|stranger|someone|person|people) (?:\w+ )?online|"
    r"(?:man|men|guy|adult|stranger|someone) (?:\w+ )?(?:met )?online|"
    r"(?:asked|asking|asks|pressured|pressuring|forced|made) (?:me|her|him|them) (?:\w+ )?(?:for|to send|to take) (?:\w+ )?(?:nudes?|naked|pictures|photos|selfies|videos)|"
    r"sextortion|blackmail\w*|threaten(?:ed|ing|s)? to (?:share|post|send|leak)|"
    r"(?:share|post|send|leak|show) (?:them|it|the \w+|her \w+|his \w+) (?:to \w+ )?(?:unless|if (?:she|he|they) (?:does not|do not|will not))|"
    r"online (?:friend|boyfriend|girlfriend|mate)s?|"
    r"(?:man|men|guy|adult|stranger|someone|person|boy|lad|bloke) (?:\w+ )?(?:she|he|they) (?:met|meets|knows|talks to|chats to) (?:on|online|through|via)|wants? to meet (?:up with )?(?:me|her|him|them)|"
    r"(?:asking|asked|asks|wants?) (?:\w+ )?to meet (?:up )?(?:in person|in real life|irl)|meet (?:\w+ )?in person|"
    r"(?:sending|send|sends|sent|buying|bought|giving) (?:\w+ ){0,2}gifts|"
    r"(?:involved (?:with|in)|part of|joined|member of) (?:a |the )?gangs?|gang (?:members?|involvement|related)|"
    r"unexplained (?:\w+ )?(?:clothes|money|cash|phones?|gifts|trainers|injuries|absences)|(?:second|extra|burner|another) (?:\w+ )?phone|"
    r"(?:man|men|guy|adult|stranger|someone) on (?:tiktok|snapchat|instagram|roblox|fortnite|discord|whatsapp|facebook|xbox|minecraft|youtube|the internet)|"
    r"(?:doing|does|run|runs|running) (?:\w+ )?runs|(?:loads|lots|wads|large amounts) of (?:cash|money)|"
    r"(?:hold|holding|hide|hiding|carry|carrying|keep|keeping|deliver\w*) (?:\w+ ){0,2}(?:packages|parcels|stuff in (?:his|her|their) bag|drugs)|"
    r"(?:makes?|made|forced|forcing|forces) (?:me|her|him|them) (?:to )?(?:hide|carry|hold|sell|deliver|steal)|"
    r"(?:gives?|gave|giving|pays?|paid) (?:me|her|him|them) (?:money|cash)|"
    r"(?:made|making|forced|forcing|being made|being forced) to marry|swastika\w*|nazi\w*|far right|"
    r"(?:sort out|attack|burn|bomb|blow up|get rid of) (?:the|all the) (?:mosque|church|synagogue|temple|muslims|jews|immigrants|foreigners)|"
    r"(?:selling|running) (?:drugs|weed|packages|parcels)|drug dealing|dealing drugs|"
    r"(?:given|gave|buying|buys|bought) (?:me|her|him|them) (?:a |an )?(?:new )?(?:phone|trainers|money|gifts|presents|clothes|alcohol|vapes)|"
    r"radicali[sz]\w*|extremis[tm]\w*|terroris[tm]\w*|join isis|fgm|female genital|"
    r"cut down there|forced (?:to )?marr\w*|forced marriage|(?:married|marry) (?:off|abroad|an older)|"
    r"sent abroad|honou?r based|traffick\w*|modern slavery)\b"
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
    r"(?<!policy )(?<!guidance )(?<!rules )(?<!procedure )(?:said|says|saying|stated|states)|informed me|informed us|reported|explained|indicated|revealed|described|"
    r"shared (?:that|with me)|observed|i understand|apparently|asked me|asked (?:if|whether|can|could|for help)|disclosed?|disclosing|disclosure|confided|confiding|mentioned|let slip|admitted|"
    r"opened up|came to me|come to me|wrote|written|drew|drawing|noticed|noticing|spotted|"
    r"i saw|i seen|i have seen|have seen|witnessed|showed me|shown me|"
    r"(?:i am|i was|am|really|very|bit|a little|quite|getting) (?:worried|concerned|uneasy|uncomfortable)|"
    r"(?<!not )(?<!no )(?<!any )worried about|(?<!not )concerned about|(?<!no )(?<!any )concerns? about|worry about|not sure what to do|do not know what to do|"
    r"asked me not to tell|do not tell|not to tell|keep it (?:a )?secret|promise not to tell|"
    r"(?:has|had|have) (?:got )?(?:marks|bruises|a bruise|cuts|injuries|burns)|came in with|turned up with|"
    r"i think (?:he|she|they|a|the|one)|i suspect|suspicious|something (?:is not|not|isnt) right|"
    r"(?:concerned|worried) that|(?:i|we) (?:have|had) (?:some |a )?concerns?)\b"
)

# Telling verbs strong enough to make "a pupil told me ..." a report on their own (not "asked me").
STRONG_TELL_RX = re.compile(
    r"\b(?:told (?:me|us)|tells me|disclosed?|confided|(?<!policy )(?:said|says|stated)|informed (?:me|us)|"
    r"revealed|let slip|opened up|came to me|showed me|noticed|i have seen|i saw|witnessed)\b"
)

# The message narrates a real event (time words, ongoing states), rather than asking in general.
EVENT_RX = re.compile(
    r"\b(?:today|this morning|this afternoon|yesterday|last night|just now|earlier|at break|at lunch|"
    r"at playtime|in (?:my|the) (?:class|lesson)|over the weekend|on monday|on friday|"
    r"has been|have been|had been|keeps|kept|is being|are being|was being|were being|again|"
    r"i found|we found|found out|there is|theres|there are|going round|going around|circulating|passing (?:\w+ )?round|passed (?:\w+ )?round|"
    r"just|currently|happened|happening|this week|last week|every day|all the time)\b"
)

# Abuse named as something done to someone: serious wherever it appears.
ABUSE_RX = re.compile(
    r"\b(?:(?:being|been|was|were|is|are|getting|got|get) (?:\w+ )?abused|abus(?:ed|es|ing) (?:me|her|him|them)|"
    r"(?:sexual|physical|emotional|domestic|child) abuse|(?:disclosed|disclosing|discloses|disclose) (?:\w+ )?abuse)\b"
)

# A child who cannot be found, or an attempt to take one: urgent whatever else is said.
_CHILD_LOST_OR_TAKEN = (
    r"(?:can not|cannot|cant|could not|unable to) (?:find|locate|account for) "
    r"(?!(?:the |a |an |this |that |our |my |your |any )?(?:policy|policies|form|document|link|page|file|guidance|"
    r"section|clause|answer|info|information|rules?|procedure|dsl|email|number|details|contact|app|login|password)\b)"
    r"|unaccounted for|"
    r"(?:tried|trying|tries|attempted|attempting) to (?:take|grab|snatch|lure|abduct|entice|drag|lead) (?:away )?|"
    r"(?:tried|trying|tries|attempted|attempting) to (?:get|persuade|convince|make) (?:\w+ ){1,6}(?:come|go|get in)\b"
)

_CHILD_LOST_OR_TAKEN_RX = re.compile(r"\b(?:" + _CHILD_LOST_OR_TAKEN + r")")

# Danger words. Some need harm beside them ("tonight", "right now"); see _URGENT_ON_ITS_OWN_RX.
URGENT_RX = re.compile(
    r"\b(?:" + _CHILD_LOST_OR_TAKEN + r"|bleeding|blood everywhere|unconscious|not breathing|(?:can not|cant) breathe|"
    r"collapsed|seizure|fitting|overdos\w*|taken (?:\w+ ){0,3}(?:pills|tablets)|swallowed|ambulance|999|"
    r"stab\w*|"
    r"missing(?! (?:school|lessons?|class|classes|days|homework|work|education|a lot|registration|deadlines?))|"
    r"ran away|run away|runaway|(?:not|never) came home|has not come home|did not come home|"
    r"can not find (?:her|him|them)|(?:gone|went) missing|(?:has not|have not|did not) come back|"
    r"right now|at the moment|currently|tonight|this evening|on the roof|on the bridge|by the river|"
    r"(?:going|about) to (?:kill|hurt|jump)|(?:will|going to) kill (?:me|her|him|them|herself|himself|myself)|"
    r"will jump|in (?:immediate )?danger|being attacked|attacking|outside (?:the )?(?:gate|school) waiting|"
    r"needs? (?:medical|an ambulance|a doctor|hospital)|no ?(?:one|body) knows where|turned up drunk|"
    r"drink driv\w*|drunk (?:and )?(?:driving|to collect|to pick)|"
    r"(?:taken|took|snatched|abducted) (?:the |her |his |their )?(?:kids|children|child|son|daughter|boy|girl)|"
    r"(?:does not|do not|did not) (?:know|recogni[sz]e) (?:him|her|them|the man|the woman|this man))\b"
)

# Danger by itself: a child with a weapon, missing, collapsed, taken, or unsupervised for days.
_URGENT_ON_ITS_OWN_RX = re.compile(
    r"\b(?:" + _CHILD_LOST_OR_TAKEN + r"|bleeding|blood everywhere|unconscious|not breathing|(?:can not|cant) breathe|collapsed|seizure|"
    r"overdos\w*|taken (?:\w+ ){0,3}(?:pills|tablets)|swallowed (?:\w+ ){0,3}(?:pills|tablets|bleach)|ambulance|999|"
    r"(?:has|had|have|got|carrying|carries|brought|bringing|pulled|holding|waving|with) (?:a |an |his |her )?(?:\w+ )?(?:knife|knives|blade|machete|gun|weapon)|"
    r"(?:knife|blade|gun|weapon) (?:in|on) (?:his|her|their) (?:bag|pocket|coat|locker|waistband)|stab (?:someone|him|her|them|people)|"
    r"missing(?! (?:school|lessons?|class|classes|days|homework|work|education|a lot|registration|deadlines?))|"
    r"(?:gone|went|goes) missing|ran away|run away|runaway|(?:not|never) came home|"
    r"has not come home|did not come home|can not find (?:her|him|them)|in (?:immediate )?danger|"
    r"(?:has not|have not|did not) come back|no ?(?:one|body) knows where|turned up drunk|drink driv\w*|"
    r"drunk (?:and )?(?:driving|to collect|to pick)|(?:is|are) driving (?:them|her|him) home|"
    r"(?:taken|took|snatched|abducted) (?:the |her |his |their )?(?:kids|children|child|son|daughter|boy|girl)|"
    r"(?:does not|do not|did not) (?:know|recogni[sz]e) (?:him|her|them|the man|the woman|this man)|"
    r"no (?:grown ?ups?|adults?) (?:at home|in the house)|alone (?:at home )?for (?:\w+ ){0,2}(?:days|nights)|"
    r"being attacked|(?:will|going to) kill (?:me|her|him|them|herself|himself|myself)|on the roof|on the bridge|"
    r"will jump|needs? (?:medical|an ambulance|a doctor|hospital)|"
    r"having a (?:fit|seizure)|not responding|unresponsive|passed out|fainted|allergic reaction|anaphyla\w*|"
    r"(?:struggling|unable) to breathe|choking on|head injury|hit (?:his|her|their) head|"
    r"locked (?:herself|himself|themselves) in|(?:on|at) the edge of|threatening to (?:jump|kill|hurt|end)|"
    r"(?:is|are|keeps) (?:saying|threatening|talking about|trying) (?:\w+ ){0,3}(?:die|kill (?:herself|himself|themselves)|end it|end (?:her|his|their) life|jump))\b"
)

# Words for an adult who works at the school (a concern about them is an allegation).
ADULT_ROLE = (
    r"(?:supply |class |form |pe |music |maths |english |science |art |drama |deputy |assistant |"
    r"student |trainee |sports |swimming |football |dance |new )?teachers?", r"teaching assistants?", r"head teacher",
    r"(?:the|our|my|deputy|assistant) head(?! lice)", r"head of (?:year|department|house)", r"senior leaders?",
    r"(?:\w+ )?coach(?:es)?", r"volunteers?", r"caretakers?", r"site manager", r"cleaners?",
    r"(?:school )?staff(?: member)?", r"members? of staff", r"colleagues?", r"co ?workers?", r"tutors?",
    r"(?:lunchtime |midday )?supervisors?", r"dinner (?:lady|ladies|man|men|staff)", r"(?:minibus |bus )?driver",
    r"(?:school )?nurse", r"receptionist", r"office staff", r"governors?", r"chair of governors", r"senco",
    r"dsl", r"mentor", r"instructor", r"technician", r"librarian", r"chef", r"escort", r"ect", r"nqt",
    r"(?:club|activity|group|scout|cub|brownie|youth|cadet|choir|team|after school) (?:\w+ )?leaders?",
    r"(?:mr|mrs|ms|miss|mx|dr) [a-z]+", r"sir",
)
ADULT_ROLE_RX = _rx(*ADULT_ROLE)

# Conduct by an adult at school that is harmful or breaks the code of conduct (incl. low-level).
_YOUNG = r"(?:pupils?|students?|child(?:ren)?|kids?|girls?|boys?|year \d+|sixth formers?|her|him|them)"
ADULT_CONDUCT = (
    r"(?:messag\w*|text\w*|snapchat\w*|dm\w*|whatsapp\w*|email\w*|call(?:s|ed|ing)?|ring(?:s|ing)?|rang|"
    r"phon(?:es|ed|ing)|contact\w*|chat(?:s|ted|ting)?) (?:\w+ ){0,3}" + _YOUNG,
    r"(?:follow|add|friend)\w* (?:\w+ ){0,4}(?:pupils?|students?|kids|girls?|boys?|year \d+)",
    r"(?:photos?|pictures?|photograph\w*|videos?|film\w*|record\w*)(?: \w+){0,6} (?:on (?:his|her|their) (?:own |personal )?(?:phone|mobile|camera)|personal (?:phone|mobile|device))",
    r"(?:took|taking|takes|take|posted|posts|posting|shared|uploaded) (?:\w+ ){0,3}(?:photos?|pictures?|videos?|selfies?|images?)",
    r"(?:images?|pictures?|photos?|videos?) of (?:\w+ )?(?:children|kids|pupils|girls|boys)", r"search history",
    r"inappropriate(?:ly)?", r"sexual\w*", r"flirt\w*",
    r"(?:comments?|remarks?|jokes?) (?:\w+ ){0,8}(?:body|bodies|appearance|looks|chest|bum|legs|figure|weight|boobs|skirts?|tops?|clothes|clothing|uniform|outfits?)",
    r"(?:relationship|dating|going out|sleeping) with (?:a |an |one of )?(?:\w+ )?(?:pupils?|students?|sixth formers?|year \d+|girls?|boys?)",
    r"(?:gave|gives|giving|offered) (?:\w+ ){0,2}(?:a )?lifts?", r"lifts? home",
    r"(?:driving|drove|drives|driven|taking|took|takes|walking|walked|walks) (?:\w+ ){0,3}home", r"alone with",
    r"with (?:him|her|them) alone", r"on (?:his|her|their) own with", r"drinking",
    r"(?:sharing|shared|shares) (?:a |the )?(?:room|tent|bed|dorm)", r"(?:slept|sleeping|sleeps|stayed) in (?:\w+ ){0,2}(?:room|tent|bed|dorm)",
    r"(?:gave|gives|giving|buys|bought|buying) (?:\w+ ){0,4}(?:gifts?|presents?|money|sweets|vapes|cigarettes|alcohol)",
    r"(?:gifts?|presents?|money|sweets) (?:to|for) (?:\w+ ){0,2}" + _YOUNG,
    r"favourites?", r"(?:grab|grabbed|grabs|grabbing|shoved|pushed|restrain\w*|dragged|manhandled|shook)",
    r"(?:shout\w*|scream\w*|swore|swears|swearing|yell\w*) at", r"(?:hugs|hugging|kissed|kisses|kissing|tickl\w*|cuddl\w*)",
    r"(?:on (?:his|her) )?lap", r"drunk", r"smell\w* of (?:alcohol|drink|booze|weed)", r"hung ?over",
    r"(?:was|is|seemed|looked|seems|looks) high", r"humiliat\w*", r"belittl\w*",
    r"(?:racist|homophobic|sexist) (?:comments?|remarks?|language|jokes?)",
    r"(?:looking|look|looked|looks|staring|stares|stared) at (?:\w+ ){0,2}(?:girls|boys|pupils|chest|bum)",
    r"(?:girls |boys |pupils |the )?(?:changing rooms?|toilets?|showers?)", r"porn\w*", r"indecent", r"secret",
    r"(?:asks?|asked|asking) (?:\w+ ){0,3}(?:about (?:their |her |his )?)?(?:boyfriends?|girlfriends?|sex|bodies|dating)",
    r"(?:asks?|asked|asking) (?:\w+ ){0,4}for (?:her|his|their) (?:snapchat|instagram|number|address|tiktok|whatsapp)",
    r"shows? (?:them|her|him|kids|children|pupils) (?:\w+ ){0,2}(?:videos?|pictures?|photos?|things)",
    r"feel (?:funny|weird|uncomfortable)",
)
ADULT_CONDUCT_RX = _rx(*ADULT_CONDUCT)

# Harm verbs an adult at school might be accused of.
_ADULT_HARM_WORDS = (
    r"hits?|hitting|slap\w*|smack\w*|punch\w*|kick\w*|hurt\w*|touch\w*|assault\w*|abus\w*|threw|throws|"
    r"bruis\w*|molest\w*|groom\w*|rap(?:e|ed)|strangl\w*|chok\w*|threaten\w*"
)
# A role within a few words before a conduct or harm term: "mr jones has been messaging a girl".
ADULT_ACTS_RX = re.compile(
    _words(*ADULT_ROLE) + r"(?: \w+){0,8} (?:" + _words(*ADULT_CONDUCT) + "|" + _words(_ADULT_HARM_WORDS) + ")"
)
# A particular adult, not adults in general: "mr jones", "my colleague", "one of the TAs".
SPECIFIC_ADULT_RX = re.compile(
    r"\b(?:(?:mr|mrs|ms|miss|mx|dr) [a-z]+|(?:my|one of (?:the|our|my)|our|this|that|the new|another|a|the) "
    r"(?:\w+ )?(?:colleagues?|teachers?|teaching assistants?|coach|volunteer|caretaker|member of staff|staff member|"
    r"supply teacher|head teacher|head|cleaner|tutor|governors?|driver|leader)\b(?! (?:to|be|is allowed|are allowed)))"
)

# A concern about an adult named outright, including self-reports and the formal words.
ADULT_CONCERN_RX = re.compile(
    r"\b(?:(?:worried|concern(?:ed|s)?|uneasy|uncomfortable|suspicious) (?:about|with|regarding|over|by) "
    r"(?:\w+ ){0,3}(?:colleagues?|teachers?|members? of staff|staff members?|teaching assistants?|coach|"
    r"volunteer|caretaker|head teacher|head|supply teacher|governor|(?:mr|mrs|ms|miss|mx|dr) [a-z]+)|"
    r"low level concerns?|lado|allegations? (?:about|against) |whistle ?blow\w*|self report\w*|"
    r"report (?:myself|a colleague|a member of staff|a teacher|my colleague|the head)|"
    r"i (?:accidentally|mistakenly|may have|might have|think i) (?:\w+ ){0,4}(?:pupils?|students?|child)\b)"
)

# ---- Online-safety incident types --------------------------------------------------------------
# Nudes and semi-nudes, and images taken of children undressing.
NUDES_RX = re.compile(
    r"\b(?:nudes?|semi nudes?|sexting|naked (?:pictures?|photos?|images?|selfies?|videos?)|"
    r"(?:pictures?|photos?|images?|selfies?|videos?) of (?:her|him|them|herself|himself|themselves) naked|"
    r"explicit (?:pictures?|photos?|images?|videos?|selfies?|content|messages)|indecent (?:pictures?|photos?|images?|videos?)|"
    r"dick pictures?|topless (?:pictures?|photos?|selfies?)|sexual (?:pictures?|photos?|images?|videos?)|"
    r"youth produced sexual imagery|sexual imagery|inappropriate (?:pictures?|photos?|images?|selfies?)|"
    r"(?:photo|picture|video|film|record)\w* (?:\w+ ){0,5}(?:getting changed|changing|undressed|undressing|naked|"
    r"in the (?:toilets?|showers?|changing rooms?))|"
    r"(?:photos?|pictures?|videos?|filmed|filming|film) (?:\w+ ){0,2}up (?:\w+ ){0,2}(?:skirts?|dress(?:es)?)|"
    r"deep ?fakes?|ai (?:generated |made )?(?:nudes?|naked|images?|pictures?|photos?|videos?)|nudif\w*|undress(?:ing)? apps?)\b"
)
# Cyberbullying: a bullying word and an online setting, or the word itself.
_BULLYING = re.compile(
    r"\b(?:bull(?:y|ied|ies|ying)|gang(?:ing|ed)? up|picking on|pick on|pil(?:e|ing) on|mock\w*|threats?|"
    r"threatening|nasty|horrible|abusive|hateful|vile|cruel|unkind|spiteful|degrading|offensive|insulting|hurtful|rumou?rs?|lies about|humiliat\w*|exclud\w*|"
    r"troll\w*|fake (?:\w+ ){0,2}(?:account|profile|page)|hate (?:page|account)|impersonat\w*|pretending to be|"
    r"filmed (?:a |the )?fight|happy slapping|racist|homophobic|"
    r"rat(?:e|es|ed|ing) (?:\w+ ){0,2}(?:bodies|body|looks|appearance|girls|boys|fit|hot))\b"
)
_ONLINE = re.compile(
    r"\b(?:online|snapchat|instagram|tiktok|whatsapp|facebook|group chats?|chat|screenshots?|posted|posting|posts|"
    r"messages|comments|youtube|discord|roblox|xbox|fortnite|twitter|social media|texts|account|page|profile|video|"
    r"apps?|anonymous(?:ly)?|airdrop\w*|posting|post|filmed|filming|recorded)\b"
)
_CYBERBULLYING_WORD = re.compile(
    r"\b(?:cyber ?bull\w*|filmed (?:a |the )?fights?|happy slapping|fight videos?|"
    r"(?:videos?|clips?|footage|films?) of (?:\w+ ){0,2}fights?)\b"
)
# Abuse aimed at the member of staff themselves is a policy matter, not a child's incident.
_STAFF_TARGET = re.compile(r"\b(?:about me|at me|against me|to be me|of me|on me|aimed at staff|about staff|about teachers)\b")
# Sexual harassment by message between young people.
SEXUAL_MESSAGES_RX = re.compile(
    r"\b(?:sexual|sexually explicit|sexualised|unwanted|rude|dirty|creepy|pervy) (?:\w+ )?(?:messages|texts|comments|snaps|dms|chats?)\b"
)
# Harmful content seen or found by children.
HARMFUL_CONTENT_RX = re.compile(
    r"\b(?:porn\w*|beheading|gore|violent (?:videos?|content|images?)|extremist (?:content|material|videos?)|"
    r"self harm (?:content|videos?|images?|pictures?|posts?)|pro ana|suicide (?:videos?|content)|"
    r"(?:graphic|disturbing|gory|violent|horrific|sick|shocking) (?:\w+ )?(?:videos?|images?|content|clips?|pictures?)|"
    r"inappropriate (?:videos?|content|websites?|sites?|images?)|adult (?:content|sites?|websites?)|"
    r"(?:choking|blackout|pass out|dangerous|tiktok|viral|online) (?:\w+ )?challenge|"
    r"(?:search\w*|look\w* up|googl\w*) (?:for )?(?:how to|ways to)|"
    r"(?:filter(?:ing)?|monitoring|smoothwall|securus|impero) (?:\w+ )?(?:alert|flagged|caught|picked up)|"
    r"(?:flagged|caught|picked up) (?:by|on) (?:the )?(?:filter|monitoring|smoothwall))\b"
)
# Images of pupils posted by others, and hacked accounts.
IMAGES_POSTED_RX = re.compile(
    r"\b(?:posted|uploaded|shared|put|sharing|posting|uploading|putting|streamed|livestreamed) (?:\w+ ){0,3}"
    r"(?:photos?|pictures?|videos?|images?|footage|clips?|recordings?) (?:\w+ ){0,8}(?:pupils?|students?|children|child|kids|"
    r"our|school|class|nativity|sports day|play|trip|uniform|my class|faces?|year \d+)"
    r"|\b(?:photos?|pictures?|videos?|images?) of (?:\w+ ){0,3}(?:pupils?|students?|children|kids|our|the class) "
    r"(?:\w+ ){0,4}(?:online|on (?:facebook|instagram|tiktok|snapchat|twitter|x|youtube|social media|a (?:website|page|group))|posted|been posted|went up)"
    r"|\b(?:posted|uploaded|put|shared|streamed|livestreamed) (?:\w+ ){0,10}(?:on|to|onto) (?:youtube|facebook|instagram|tiktok|"
    r"twitter|snapchat|online|social media|the internet)\b(?=.*\b(?:faces?|play|nativity|concert|assembly|sports day|trip|"
    r"class|pupils?|children|kids|students?)\b)"
    r"|\b(?:account|page|site) (?:\w+ ){0,3}(?:hacked|compromised)|hacked|data breach|leaked"
)
# Strangers contacting children online.
STRANGER_CONTACT_RX = re.compile(
    r"\b(?:stranger|adult|man|men|woman|someone|somebody|random (?:\w+ )?account|account|profile) (?:\w+ ){0,12}"
    r"(?:asked|asking|asks|told|telling|messag\w*|comment\w*|add\w*) (?:\w+ ){0,4}"
    r"(?:how old|where (?:she|he|they) (?:lives?|live)|to (?:message|dm|add|send|meet|call|video)|"
    r"for (?:her|his|their) (?:address|number|snapchat|instagram|pictures|photos))"
    r"|\b(?:grown|older|adult|random|strange) (?:\w+ )?(?:man|men|adults?|people|strangers|accounts?) (?:are |is |were |was |keeps? )?"
    r"(?:commenting|messaging|watching|following|adding|liking|sending|contacting)"
    r"|\b(?:livestream\w*|live ?streaming|going live) (?:\w+ ){0,3}(?:from|in) (?:her|his|their|my) (?:bedroom|room)"
)
# A pupil contacting staff on personal accounts (needs PERSONAL_ACCOUNT_RX too).
PUPIL_CONTACT_RX = re.compile(
    r"\b(?:pupils?|students?|child|kid|girl|boy|year \d+|ex pupil|former pupil|one of my)\b(?: \w+){0,6} "
    r"(?:messag\w*|text\w*|follow\w*|add(?:ed|s|ing)?|friend request\w*|sent (?:me )?(?:a )?friend request|"
    r"request\w*|found|located|tracked down|discovered|looked up|contact\w*|call\w*|rang|phoned|snapchat\w*|tagged|emailed|dm\w*) "
    r"(?:\w+ ){0,4}(?:me|my)\b"
    r"|\b(?:pupils?|students?|child|kid|girl|boy|year \d+|ex pupil|former pupil|one of my)\b(?: \w+){0,6} "
    r"(?:sent|sends|sending|keeps sending) me (?:a |an )?(?:\w+ ){0,2}(?:friend requests?|follow requests?|messages?|dms?|texts?|snaps?)"
    r"|\b(?:pupil|student|kid|child) (?:has|have|got|found) my (?:number|personal|instagram|snapchat|facebook|email|address)"
)
PERSONAL_ACCOUNT_RX = _rx(
    r"personal", r"my (?:own )?(?:phone|mobile|number)", r"instagram", r"snapchat", r"facebook",
    r"tiktok", r"whatsapp", r"twitter", r"x", r"linkedin", r"discord", r"my account", r"home email",
    r"(?:friend|follow) requests?", r"followed me", r"added me",
)
# Verbs that narrate something that happened (an incident), not a rule being asked about.
INCIDENT_ACTION_RX = re.compile(
    r"\b(?:sent|sending|shared|sharing|posted|posting|uploaded|uploading|going round|airdropped|forwarded|"
    r"forwarding|filmed|filming|took|made|created|watching|watched|came across|found|saw|seen|showed|"
    r"messaged|messaging|commenting|commented|asked|asking|searching|searched|flagged|hacked|followed|"
    r"added|rang|called|texted|ganging|ganged|received|receiving|using|airdropped|pretending|trying|tried|keeps?|is being|are being|"
    r"has been|have been|were|was|put|passing|passed|livestream\w*|streaming|commenting)\b"
)
# Words that name an online-safety incident without saying which kind ("report an e-safety incident").
INCIDENT_WORD_RX = re.compile(
    r"\b(?:online safety|e ?safety|incident|breach|online|social media|internet|hacked|images?|pictures?|photos?)\b"
)

# ---- What the user wants ------------------------------------------------------------------------
# The user says outright they want to report / refer / raise something.
REPORT_INTENT_RX = re.compile(
    r"\b(?:(?:(?:i|we) )?(?:need|needs|want|wanted|have|would like|must|got|ought|am going|should) to "
    r"(?:report|raise|log|record|refer|flag|pass on|tell (?:the )?(?:dsl|head|safeguarding lead)|let (?:the )?dsl know|"
    r"make (?:a |an )?(?:referral|report|disclosure))(?! out| in| into| off| on to)|"
    r"(?:report|raise|log|record|flag|submit|file|make|have|got|with) (?:a |an |this |my |some )?"
    r"(?:safeguarding |welfare |child protection |cp )?(?:concern|disclosure|referral|worry|worries|allegation)|"
    r"(?:report|raise|log|record|flag|submit|file) (?:a |an |this )?(?:online safety |e ?safety )?incident|"
    r"^report$|^report (?:it|this|something|a child)$|make a referral|making a referral|make a (?:cp|child protection|safeguarding) referral|"
    r"(?:who|where|how) (?:do|should|can|must) (?:i|we) (?:\w+ ){0,3}(?:if|when) (?:a |the |my |one of my )?(?:\w+ )?"
    r"(?:child|pupil|student|kid|boy|girl) (?:discloses|has disclosed|makes a disclosure|tells me something)|refer (?:a |this )?(?:child|pupil|student)|"
    r"(?:put|log|record|add|write) (?:\w+ ){0,3}(?:on|in|onto) (?:cpoms|myconcern|my concern))\b"
)
# The report is about an adult at school: "a concern about the head teacher".
ALLEGATION_TARGET_RX = re.compile(
    r"\b(?:about|against|regarding|concerning|involving) (?:a |an |the |my |our |one of (?:the|our|my) )?(?:\w+ )?"
    + _words(*ADULT_ROLE)
)
# "Do I have to report ...?" asks about procedure; it is not a report.
PROCEDURE_QUESTION_RX = re.compile(
    r"\b(?:do|does|did|would|will|should|must) (?:i|we|you|staff|teachers|everyone|they) (?:\w+ )?(?:need|have|got|ought) to\b|"
    r"\b(?:is|are) (?:it|this|that|i|we) (?:required|obliged|supposed) to\b|\bneeds? to be reported\b"
)

# Generic worry about a child without a harm word: "I'm worried about a boy in my class".
CHILD_WORRY_RX = re.compile(
    r"\b(?<!no )(?<!not )(?<!any )(?<!without )(?:worried|concerned|worry|concerns?|uneasy|not sure) (?:about|for|regarding) (?:a |an |the |one of (?:my|our|the) |this |my |our )?"
    r"(?:\w+ ){0,2}(?:child|pupil|student|boy|girl|kid|year \d+|learner|young person|her|him|them|tutee|\w+s (?:welfare|safety))"
    r"|\b(?:worried|concerned) about [a-z]+ (?:in|from) (?:year|my|class)"
    r"|\b(?:something (?:is |isnt )?(?:not |isnt )?(?:right|going on) (?:at home|with (?:her|him|them)))"
    r"|\b(?:at risk|not safe|unsafe|in danger|welfare|wellbeing) (?:\w+ ){0,2}(?:at home|child|pupil|her|him)"
    r"|\b(?:child|pupil|student|boy|girl|he|she) (?:\w+ ){0,3}(?:is|are|was|seems?|seemed|looks?|looked) (?:\w+ ){0,2}"
    r"(?:at risk|unsafe|not safe|in danger|scared|frightened|terrified|withdrawn)"
    r"|\b(?:wants|want|wanted|asked) to tell (?:me|you|someone) (?:a )?secret"
    r"|\b(?:too )?(?:scared|frightened|afraid) to tell"
)
# Secrecy around an adult or a child: a classic sign of abuse or grooming.
SECRECY_RX = re.compile(
    r"\b(?:asked (?:me|her|him|them) not to tell|(?:told|tells|telling) (?:me|her|him|them) (?:not to tell|to keep (?:it|this|them)? ?(?:a )?secret)|"
    r"keep (?:it|this)? ?(?:a )?secret|our (?:little )?secret|promise not to tell|"
    r"if (?:she|he|they|you|i) (?:tells?|says?|speaks?) (?:anything|anyone|anybody|school|a teacher|teachers|someone|the teacher|\w+ teacher)|"
    r"not allowed to (?:say|tell|talk about)|(?:can not|must not|mustnt) tell (?:anyone|anybody|you|school)|"
    r"(?:do not|not to) tell (?:anyone|anybody|mum|dad|your|her|his))\b"
)

# Question frames: a message that asks about rules in general.
QUESTION_FRAME_RX = re.compile(
    r"^(?:(?:hi|hello|hey|hi there|dear \w+|good (?:morning|afternoon|evening)|quick question|question|sorry|please|"
    r"just wondering|wondering|i was wondering|i am wondering) )*"
    r"(?:can|could|may|should|must|shall|would|is|are|am|do(?! not)|does|what|whats|who|whos|where|wheres|"
    r"when|which|how|hows|why|any|anyone)\b"
    r"|\b(?:can|could|may|should|shall) (?:i|we)\b|\b(?:am i|are we|are staff|is staff) allowed\b"
    r"|\b(?:is (?:this|that|it)|its) (?:ok|okay|allowed|acceptable|appropriate|permitted|permissible|against|a breach|a problem)\b"
    r"|\b(?:is there anything|do i need to|do we need to|what (?:should|do|must) (?:i|we) do)\b"
    r"|\b(?:ok|okay|allowed|acceptable|fine|alright)(?: if| to|$)"
    r"|\b(?:where|what|who|how|when|which) (?:does|do|did|should|can|could|is|are|would) (?:it|they|this|that|i|we|staff|the|our|my)\b"
    r"|\b(?:(?:i|we) (?:would|want|wanted) (?:like )?to know|i was wondering|could you (?:please )?(?:tell|clarify|confirm|explain|advise)|"
    r"please (?:clarify|confirm|explain))\b"
)
# Questions about what the policy says, definitions and training: general by nature.
POLICY_ABOUT_RX = re.compile(
    r"\b(?:(?:does|do|did) (?:the |our )?(?:school |schools )?(?:policy|policies|guidance|procedure|kcsie|rules?|code of conduct) "
    r"(?:\w+ )?(?:say|says|state|mention|cover|allow)|policy (?:say|says)|"
    r"what (?:the|our) (?:school |schools )?(?:policy|policies|guidance|procedure|rules?) (?:says?|states?)|"
    r"(?:is there|do we have|have we got) (?:a |any )?(?:policy|guidance|procedure|rule)|"
    r"(?:policy|guidance|procedure|rules?) (?:on|about|for|regarding)|"
    r"what (?:counts|classes) as|what is (?:a |an |the )?(?:definition|meaning)|define|definition of|"
    r"what (?:is|are) (?:a |an |the )?(?:low level concerns?|lado|dsl|allegation|disclosure|cyberbullying|sexting|grooming|neglect|self harm)|"
    r"training (?:on|about|for)|signs of|pshe|rshe|rse|curriculum|"
    r"(?:teach|teaching|educate|educating|lessons?|assembly|assemblies|workshops?|raise awareness) (?:\w+ ){0,3}(?:about|on|of)|"
    r"(?:videos?|films?|talks?|resources?|presentations?|leaflets?|posters?|books?|materials?) (?:about|on the (?:dangers|risks|topic) of) |how (?:to|do (?:i|we)) (?:spot|recognise|recognize|teach|talk to pupils about|educate))\b"
)
# Hypothetical: "what should I do if a pupil adds me" (a general question, not an event).
HYPOTHETICAL_RX = re.compile(
    r"\b(?:what (?:should|do|would|must|can) (?:i|we|staff) do|what happens|how (?:should|do) (?:i|we) (?:respond|handle|deal))\b"
    r"(?: \w+){0,3} (?:if|when)\b|^(?:if|when|what if|suppose|say) (?:a|an|one|my|the|someone|somebody)\b"
    r"|\bif\b|\bwhen (?:a|an|one of|any|there|theres|i ever|we ever|someone|somebody)\b"
)


# --------------------------------------------------------------------------------------------
# Decision
# --------------------------------------------------------------------------------------------

_HARM_GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("harm_sexual", SEXUAL_HARM_RX),
    ("harm_self", SELF_HARM_RX),
    ("harm_exploitation", EXPLOITATION_RX),
    ("harm_abuse", ABUSE_RX),
    ("harm_secrecy", SECRECY_RX),
    ("harm_physical", PHYSICAL_HARM_RX),
    ("harm_neglect", NEGLECT_RX),
    ("harm_risk_word", RISK_WORDS_RX),
)
# Harm so serious that any mention with a child or person in view goes to the reporting flow,
# even inside a question ("should I tell anyone if a pupil says he is cutting himself?").
_SEVERE = frozenset({"harm_sexual", "harm_self", "harm_exploitation", "harm_abuse", "harm_secrecy"})


def _incident_types(t: str, person: bool) -> list[str]:
    found = []
    if NUDES_RX.search(t):
        found.append("incident_nudes")
    if _CYBERBULLYING_WORD.search(t) or (
        person and _BULLYING.search(t) and _ONLINE.search(t) and not (_STAFF_TARGET.search(t) and not CHILD_RX.search(t))
    ):
        found.append("incident_cyberbullying")
    if SEXUAL_MESSAGES_RX.search(t):
        found.append("incident_sexual_messages")
    if HARMFUL_CONTENT_RX.search(t):
        found.append("incident_harmful_content")
    if IMAGES_POSTED_RX.search(t):
        found.append("incident_images_posted")
    if STRANGER_CONTACT_RX.search(t):
        found.append("incident_stranger_contact")
    contact = PUPIL_CONTACT_RX.search(t)
    # "a pupil's mum texted me" is a parent contacting staff: a policy question, not an incident
    if contact and PERSONAL_ACCOUNT_RX.search(t) and not FAMILY_RX.search(contact.group(0)):
        found.append("incident_pupil_contact")
    return found


_QUESTION = Triage("question", False, ())


def classify(text: str) -> Triage:
    """Classify one chat message. Never raises for any str; non-str input is treated as empty."""
    if not isinstance(text, str):
        return Triage("question", False, ("empty",))
    t = normalise(text)
    if not t:
        return Triage("question", False, ("empty",))
    return _decide(t)


SIGNAL_NAMES = ("question_frame", "hypothetical", "harm", "severe_harm", "first_person", "child", "person",
                "told", "event", "worry", "report_intent", "urgent", "policy_about", "adult_role",
                "specific_adult", "adult_acts", "incident_type")


def signals(text: str) -> tuple[float, ...]:
    """The rule layer's signals for a message, in SIGNAL_NAMES order (1.0 present, 0.0 not):
    what the learned layer reads beside the message's meaning, so it knows a question frame
    ("can I ...", "what if a pupil ever ...") from a narrated event."""
    t = normalise(text) if isinstance(text, str) else ""
    question = bool(QUESTION_FRAME_RX.search(t))
    hyp = HYPOTHETICAL_RX.search(t) if question else None
    real = t[: hyp.start()] if hyp else t
    harms = [code for code, rx in _HARM_GROUPS if rx.search(t)]
    child = bool(CHILD_RX.search(t))
    person = child or bool(THIRD_PERSON_RX.search(t)) or bool(FAMILY_RX.search(t))
    role = ADULT_ROLE_RX.search(t) is not None
    found = (
        question, hyp is not None, bool(harms), any(h in _SEVERE for h in harms), bool(FIRST_PERSON_HARM_RX.search(t)),
        child, person, bool(DISCLOSURE_VERB_RX.search(real)), bool(EVENT_RX.search(real)),
        bool(CHILD_WORRY_RX.search(t)), bool(REPORT_INTENT_RX.search(t)) and not PROCEDURE_QUESTION_RX.search(t),
        bool(_URGENT_ON_ITS_OWN_RX.search(t)) or bool(URGENT_RX.search(t)), bool(POLICY_ABOUT_RX.search(t)), role,
        role and SPECIFIC_ADULT_RX.search(t) is not None, role and ADULT_ACTS_RX.search(t) is not None,
        bool(_incident_types(t, person)),
    )
    return tuple(float(bool(f)) for f in found)


def _decide(t: str) -> Triage:
    reasons: list[str] = []

    # In "what do I do if a pupil says ...", what follows "if" is imagined, not reported.
    question = bool(QUESTION_FRAME_RX.search(t))
    hyp = HYPOTHETICAL_RX.search(t) if question else None
    real = t[: hyp.start()] if hyp else t

    harms = [code for code, rx in _HARM_GROUPS if rx.search(t)]
    severe = [h for h in harms if h in _SEVERE]
    first_person = bool(FIRST_PERSON_HARM_RX.search(t))
    child = bool(CHILD_RX.search(t))
    person = child or bool(THIRD_PERSON_RX.search(t)) or bool(FAMILY_RX.search(t))
    told = bool(DISCLOSURE_VERB_RX.search(real))
    event = bool(EVENT_RX.search(real))
    worry = bool(CHILD_WORRY_RX.search(t))
    report_intent = bool(REPORT_INTENT_RX.search(t)) and not PROCEDURE_QUESTION_RX.search(t)
    urgent_alone = bool(_URGENT_ON_ITS_OWN_RX.search(t))

    policy_about = bool(POLICY_ABOUT_RX.search(t))
    general_question = question or policy_about

    # A specific, real situation is being described (not a general "can I" question).
    specific = told or event or first_person or worry or report_intent

    # Adult-at-school signals; the costlier patterns only run when a role word is present.
    role = ADULT_ROLE_RX.search(t) is not None
    specific_adult = role and SPECIFIC_ADULT_RX.search(t) is not None
    adult_acts = role and (
        ADULT_ACTS_RX.search(t) is not None
        or (specific_adult and ADULT_CONDUCT_RX.search(t) is not None and not question)
    )
    incidents = _incident_types(t, person)

    # --- disclosure: a child has disclosed harm or may be at risk ----------------------------
    disclosure = first_person
    if severe and (person or told) and not (policy_about and not specific):
        disclosure = True
    if harms and (person or told) and (specific or not general_question):
        disclosure = True
    if worry and not (policy_about and not (told or event)):
        disclosure = True
    if child and STRONG_TELL_RX.search(real) and not general_question and not (incidents or adult_acts):
        disclosure = True  # "a pupil told me ..." narrated as a statement: the flow lets them back out
    if urgent_alone and (child or person) and (specific or not general_question):
        disclosure = True  # a missing child, a child with a knife, a child collapsed
    if child and _CHILD_LOST_OR_TAKEN_RX.search(t):
        disclosure = True  # "can't find Jayden in year 2": never an FAQ, however it is phrased
    if first_person:
        reasons.append("child_words_first_person")
    if disclosure:
        reasons.extend(harms or ["child_at_risk"])
        if told:
            reasons.append("disclosure_verb")
        if worry:
            reasons.append("staff_worried")

    # --- allegation: an adult who works at the school ------------------------------------------
    adult_concern = bool(ADULT_CONCERN_RX.search(t))
    named_adult = specific_adult and not _GENERIC_ADULT_RX.search(t)
    asks_in_general = bool(_GENERIC_ADULT_RX.search(t))
    allegation = (adult_concern and (specific or not general_question)) or (
        adult_acts and (
            named_adult or told or report_intent or not general_question
            or ((event or first_person or worry) and not asks_in_general)
        )
    )
    if allegation:
        reasons.append("adult_at_school")
        reasons.append("adult_conduct" if adult_acts else "adult_concern")

    # --- incident: online safety --------------------------------------------------------------
    acted = bool(INCIDENT_ACTION_RX.search(real))
    incident = bool(incidents) and not (policy_about and not specific) and (
        specific or (acted and not general_question)
    )
    if incident:
        reasons.extend(incidents)
    if report_intent:
        reasons.append("report_intent")

    # --- choose -------------------------------------------------------------------------------
    kind: TriageKind
    if allegation:
        # Harm by an adult who works at the school is an allegation even when a child told us.
        kind = "allegation"
    elif disclosure and incident:
        # Peer-on-peer image sharing is an incident; an adult exploiting a child is abuse.
        child_harmed = set(harms) & {"harm_exploitation", "harm_abuse", "harm_self", "harm_secrecy", "harm_neglect"}
        family_did_it = bool(set(harms) - {"harm_risk_word"}) and bool(FAMILY_RX.search(t))
        kind = "disclosure" if child_harmed or first_person or worry or family_did_it else "incident"
    elif disclosure:
        kind = "disclosure"
    elif incident:
        kind = "incident"
    elif report_intent:
        if role and (ALLEGATION_TARGET_RX.search(t) or ADULT_CONDUCT_RX.search(t)):
            kind = "allegation"
        elif incidents or INCIDENT_WORD_RX.search(t):
            kind = "incident"
        else:
            kind = "disclosure"
    else:
        return _QUESTION

    urgent = urgent_alone or (
        (bool(harms) or first_person or told or adult_acts) and URGENT_RX.search(t) is not None
    )
    if urgent:
        reasons.append("urgent")
    return Triage(kind, urgent, tuple(dict.fromkeys(reasons)))


# "the coach" in "can the coach message the team" is adults in general, not one person.
_GENERIC_ADULT_RX = re.compile(r"^(?:can|could|may|should|must|is|are|do|does)\b")



# --------------------------------------------------------------------------------------------
# Speed: every pattern above starts at a word boundary, and normalised text is single-space
# separated tokens, so a match can only begin at a token start. Python's regex engine does not
# build a first-character table for patterns starting with \b and tries every alternative at
# every character; the look-behind below rejects mid-token positions at the first step, which
# halves the cost without changing a single match.
# --------------------------------------------------------------------------------------------

def _at_token_starts(rx: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![^ ])(?:" + rx.pattern + ")")


_TOKEN_START_PATTERNS = (
    "CHILD_RX", "THIRD_PERSON_RX", "FAMILY_RX", "PHYSICAL_HARM_RX", "SEXUAL_HARM_RX", "SELF_HARM_RX",
    "NEGLECT_RX", "RISK_WORDS_RX", "EXPLOITATION_RX", "ABUSE_RX", "URGENT_RX", "_URGENT_ON_ITS_OWN_RX",
    "FIRST_PERSON_HARM_RX", "DISCLOSURE_VERB_RX", "STRONG_TELL_RX", "EVENT_RX", "ADULT_ROLE_RX",
    "ADULT_CONDUCT_RX", "ADULT_ACTS_RX", "SPECIFIC_ADULT_RX", "ADULT_CONCERN_RX", "NUDES_RX", "_BULLYING",
    "_ONLINE", "_CYBERBULLYING_WORD", "SEXUAL_MESSAGES_RX", "_STAFF_TARGET", "HARMFUL_CONTENT_RX", "IMAGES_POSTED_RX",
    "STRANGER_CONTACT_RX", "PUPIL_CONTACT_RX", "PERSONAL_ACCOUNT_RX", "INCIDENT_ACTION_RX",
    "INCIDENT_WORD_RX", "REPORT_INTENT_RX", "ALLEGATION_TARGET_RX", "PROCEDURE_QUESTION_RX", "CHILD_WORRY_RX", "SECRECY_RX",
    "QUESTION_FRAME_RX", "POLICY_ABOUT_RX", "HYPOTHETICAL_RX",
)
for _name in _TOKEN_START_PATTERNS:
    globals()[_name] = _at_token_starts(globals()[_name])
_HARM_GROUPS = tuple((code, _at_token_starts(rx)) for code, rx in _HARM_GROUPS)

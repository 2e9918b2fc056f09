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
typos of the words that matter), then named trigger lists each detect one *signal* (a child
reference, a harm term, a disclosure verb, an adult-at-school role next to harmful conduct, a
question frame, ...). The words live in data, `knowledge/language.yaml` (the abbreviation and
spelling table there is the one the policy matcher uses too); this module holds the logic: the
ordered rule lists at the bottom combine signals rather than matching whole sentences, so they
generalise to messages nobody wrote down:

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
Pure Python, no botbuilder: the data file is read and compiled once, at import; then no I/O and
microseconds per call.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cached_property, lru_cache

from rapidfuzz import fuzz, process

from bot.triage.verdict import Triage, TriageKind
from knowledge import language

# Slack's own limit for one message; Teams' is lower. Everything a platform can deliver is
# scanned (a disclosure may come at the end of a long message); the cap only bounds the cost
# of input that did not come from a chat platform.
MAX_SCAN_CHARS = 40_000

# The trigger lists of knowledge/language.yaml, compiled: `WORDS.child`, `WORDS.sexual_harm`, ...
WORDS = language.triage()

# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

# Leetspeak digits inside words ("n00ds", "h1ts", "s3x"); only applied to tokens that start with
# a letter, so "year 5", "15yo" and "y10" keep their numbers.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "@": "a", "$": "s"})
_YEAR_TOKEN = re.compile(r"^(?:y|yr|yrs|year)(\d{1,2})$")

# Chat abbreviations and spellings folded to one form (token -> replacement): the table the
# policy matcher's normaliser uses too.
_ABBREVIATIONS = language.word_folds()

# Distinctive words whose misspellings must still be caught ("sucidal", "brusies",
# "inapropriate"), and ordinary words that must never be "corrected" into one of them.
_FUZZY_LEXICON = WORDS.fuzzy_lexicon
_FUZZY_SET = frozenset(_FUZZY_LEXICON)
_NEVER_CORRECT = WORDS.never_correct

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
    _word[:_i] + _word[_i + 1 :]: _word
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
# Signals: what the trigger lists see in one normalised message
# --------------------------------------------------------------------------------------------

# Danger words some of the rules need beside harm ("tonight", "right now"); learned.py reads it too.
URGENT_RX = WORDS.urgent
# A child who cannot be found or is being taken; may start inside a token (after "@" or "$"),
# unlike the lists above, which are matched at token starts.
_CHILD_LOST_OR_TAKEN_RX = re.compile(r"\b(?:" + WORDS.sources["child_lost_or_taken"] + r")")

_HARM_GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("harm_sexual", WORDS.sexual_harm),
    ("harm_self", WORDS.self_harm),
    ("harm_exploitation", WORDS.exploitation),
    ("harm_abuse", WORDS.abuse),
    ("harm_secrecy", WORDS.secrecy),
    ("harm_physical", WORDS.physical_harm),
    ("harm_neglect", WORDS.neglect),
    ("harm_risk_word", WORDS.risk_words),
)
# Harm so serious that any mention with a child or person in view goes to the reporting flow,
# even inside a question ("should I tell anyone if a pupil says he is cutting himself?").
_SEVERE = frozenset({"harm_sexual", "harm_self", "harm_exploitation", "harm_abuse", "harm_secrecy"})


def _incident_types(t: str, person: bool) -> list[str]:
    found = []
    if WORDS.nudes.search(t):
        found.append("incident_nudes")
    if WORDS.cyberbullying_word.search(t) or (
        person
        and WORDS.bullying.search(t)
        and WORDS.online.search(t)
        and not (WORDS.staff_target.search(t) and not WORDS.child.search(t))
    ):
        found.append("incident_cyberbullying")
    if WORDS.sexual_messages.search(t):
        found.append("incident_sexual_messages")
    if WORDS.harmful_content.search(t):
        found.append("incident_harmful_content")
    if WORDS.images_posted.search(t):
        found.append("incident_images_posted")
    if WORDS.stranger_contact.search(t):
        found.append("incident_stranger_contact")
    contact = WORDS.pupil_contact.search(t)
    # "a pupil's mum texted me" is a parent contacting staff: a policy question, not an incident
    if contact and WORDS.personal_account.search(t) and not WORDS.family.search(contact.group(0)):
        found.append("incident_pupil_contact")
    return found


class Signals:
    """The signals in one normalised message, each read from the trigger lists on first use."""

    def __init__(self, t: str):
        self.t = t

    @cached_property
    def question(self) -> bool:
        """Phrased as a question about rules ("can I ...", "what does the policy say ...")."""
        return bool(WORDS.question_frame.search(self.t))

    @cached_property
    def _hypothetical(self) -> re.Match[str] | None:
        return WORDS.hypothetical.search(self.t) if self.question else None

    @cached_property
    def hypothetical(self) -> bool:
        """ "what do I do if a pupil says ...": what follows "if" is imagined, not reported."""
        return self._hypothetical is not None

    @cached_property
    def real(self) -> str:
        """The part of the message that reports something (before a hypothetical "if")."""
        return self.t[: self._hypothetical.start()] if self._hypothetical else self.t

    @cached_property
    def harms(self) -> list[str]:
        return [code for code, rx in _HARM_GROUPS if rx.search(self.t)]

    @cached_property
    def severe(self) -> list[str]:
        return [h for h in self.harms if h in _SEVERE]

    @cached_property
    def first_person(self) -> bool:
        return bool(WORDS.first_person_harm.search(self.t))

    @cached_property
    def child(self) -> bool:
        return bool(WORDS.child.search(self.t))

    @cached_property
    def person(self) -> bool:
        return self.child or bool(WORDS.third_person.search(self.t)) or bool(WORDS.family.search(self.t))

    @cached_property
    def told(self) -> bool:
        return bool(WORDS.disclosure_verb.search(self.real))

    @cached_property
    def event(self) -> bool:
        return bool(WORDS.event.search(self.real))

    @cached_property
    def worry(self) -> bool:
        return bool(WORDS.child_worry.search(self.t))

    @cached_property
    def report_intent(self) -> bool:
        return bool(WORDS.report_intent.search(self.t)) and not WORDS.procedure_question.search(self.t)

    @cached_property
    def urgent_alone(self) -> bool:
        return bool(WORDS.urgent_on_its_own.search(self.t))

    @cached_property
    def policy_about(self) -> bool:
        return bool(WORDS.policy_about.search(self.t))

    @cached_property
    def general_frame(self) -> bool:
        """The writer frames the message as general: "in theory", "for my NVQ", "not a disclosure"."""
        return bool(WORDS.general_frame.search(self.t))

    @cached_property
    def imagined(self) -> bool:
        """Opens with a condition, or is framed as hypothetical or general: maybe nothing happened."""
        return bool(WORDS.conditional_frame.search(self.t)) or self.hypothetical or self.general_frame

    @cached_property
    def general_question(self) -> bool:
        return self.question or self.policy_about or self.general_frame

    @cached_property
    def specific(self) -> bool:
        """A specific, real situation is described (not a general "can I" question)."""
        return self.told or self.event or self.first_person or self.worry or self.report_intent

    # Adult-at-school signals; the costlier lists only run when a role word is present.
    @cached_property
    def role(self) -> bool:
        return WORDS.adult_role.search(self.t) is not None

    @cached_property
    def specific_adult(self) -> bool:
        return self.role and WORDS.specific_adult.search(self.t) is not None

    @cached_property
    def adult_acts_words(self) -> bool:
        """A role within a few words before a conduct or harm term."""
        return self.role and WORDS.adult_acts.search(self.t) is not None

    @cached_property
    def adult_acts(self) -> bool:
        """An adult at school acting harmfully: as above, or a particular adult's conduct narrated."""
        return self.role and (
            self.adult_acts_words
            or (self.specific_adult and WORDS.adult_conduct.search(self.t) is not None and not self.question)
        )

    @cached_property
    def adult_concern(self) -> bool:
        return bool(WORDS.adult_concern.search(self.t))

    @cached_property
    def asks_in_general(self) -> bool:
        """ "can the coach message the team": adults in general, not one person."""
        return bool(WORDS.generic_adult.search(self.t))

    @cached_property
    def named_adult(self) -> bool:
        return self.specific_adult and not self.asks_in_general

    @cached_property
    def incidents(self) -> list[str]:
        return _incident_types(self.t, self.person)

    @cached_property
    def acted(self) -> bool:
        """Verbs that narrate an incident ("sent", "posted", "filmed") before any hypothetical."""
        return bool(WORDS.incident_action.search(self.real))

    @cached_property
    def strong_tell(self) -> bool:
        return bool(WORDS.strong_tell.search(self.real))

    @cached_property
    def child_lost_or_taken(self) -> bool:
        return bool(_CHILD_LOST_OR_TAKEN_RX.search(self.t))

    @cached_property
    def urgent_words(self) -> bool:
        return URGENT_RX.search(self.t) is not None


SIGNAL_NAMES = (
    "question_frame",
    "hypothetical",
    "harm",
    "severe_harm",
    "first_person",
    "child",
    "person",
    "told",
    "event",
    "worry",
    "report_intent",
    "urgent",
    "policy_about",
    "adult_role",
    "specific_adult",
    "adult_acts",
    "incident_type",
)


def framed_as_question(text: str) -> bool:
    """Phrased as a general question ("can I ...", "is grooming in the policy", "for my NVQ"),
    whatever else it mentions: the only kind of message the learned layer may overrule."""
    return Signals(normalise(text) if isinstance(text, str) else "").general_question


def reads_as_imagined(text: str) -> bool:
    """Opens with "if", "what if", "suppose", "hypothetically" (or is framed as general): a rule's
    report for it starts only when the learned layer agrees; otherwise the bot asks."""
    return Signals(normalise(text) if isinstance(text, str) else "").imagined


def signals(text: str) -> tuple[float, ...]:
    """The rule layer's signals for a message, in SIGNAL_NAMES order (1.0 present, 0.0 not):
    what the learned layer reads beside the message's meaning, so it knows a question frame
    ("can I ...", "what if a pupil ever ...") from a narrated event."""
    s = Signals(normalise(text) if isinstance(text, str) else "")
    found = (
        s.question,
        s.hypothetical,
        s.harms,
        s.severe,
        s.first_person,
        s.child,
        s.person,
        s.told,
        s.event,
        s.worry,
        s.report_intent,
        s.urgent_alone or s.urgent_words,
        s.policy_about,
        s.role,
        s.specific_adult,
        s.adult_acts_words,
        s.incidents,
    )
    return tuple(float(bool(f)) for f in found)


# --------------------------------------------------------------------------------------------
# Decision: ordered rule lists over the signals
# --------------------------------------------------------------------------------------------

Rule = tuple[str, Callable[[Signals], object]]

# A child has disclosed harm or may be at risk: any of these.
DISCLOSURE_RULES: tuple[Rule, ...] = (
    ("the child's own words: harm done to me", lambda s: s.first_person),
    (
        "serious harm (sexual, self-harm, exploitation, abuse, secrecy) with a person in view, "
        "unless it only asks what the policy says",
        lambda s: s.severe and (s.person or s.told) and not (s.policy_about and not s.specific),
    ),
    (
        "harm to a person in a described situation, or not phrased as a question",
        lambda s: s.harms and (s.person or s.told) and (s.specific or not s.general_question),
    ),
    (
        "staff worried about a child, unless asking what the policy says",
        lambda s: s.worry and not (s.policy_about and not (s.told or s.event)),
    ),
    (
        "'a pupil told me ...' narrated as a statement (the flow lets them back out)",
        lambda s: s.child and s.strong_tell and not s.general_question and not (s.incidents or s.adult_acts),
    ),
    (
        "danger on its own: a missing child, a child with a knife, a child collapsed",
        lambda s: s.urgent_alone and (s.child or s.person) and (s.specific or not s.general_question),
    ),
    ("a child lost or being taken: never an FAQ, however it is phrased", lambda s: s.child and s.child_lost_or_taken),
)

# A concern about an adult who works at the school: any of these.
ALLEGATION_RULES: tuple[Rule, ...] = (
    (
        "a concern about an adult at school named outright, in a real situation",
        lambda s: s.adult_concern and (s.specific or not s.general_question),
    ),
    (
        "an adult at school acting harmfully, unless asked about adults in general",
        lambda s: (
            s.adult_acts
            and (
                s.named_adult
                or s.told
                or s.report_intent
                or not s.general_question
                or ((s.event or s.first_person or s.worry) and not s.asks_in_general)
            )
        ),
    ),
)

# An online-safety incident.
INCIDENT_RULES: tuple[Rule, ...] = (
    (
        "an incident type narrated as an event, not asked about in general",
        lambda s: (
            s.incidents
            and not (s.policy_about and not s.specific)
            and (s.specific or (s.acted and not s.general_question))
        ),
    ),
)


class Findings(Signals):
    """The signals plus the three findings the rule lists above make of them."""

    @cached_property
    def disclosure(self) -> bool:
        return any(condition(self) for _, condition in DISCLOSURE_RULES)

    @cached_property
    def allegation(self) -> bool:
        return any(condition(self) for _, condition in ALLEGATION_RULES)

    @cached_property
    def incident(self) -> bool:
        return any(condition(self) for _, condition in INCIDENT_RULES)

    @cached_property
    def child_harmed(self) -> bool:
        """Harm to the child beyond an image shared: exploitation, abuse, self-harm, secrecy, neglect."""
        return bool(set(self.harms) & {"harm_exploitation", "harm_abuse", "harm_self", "harm_secrecy", "harm_neglect"})

    @cached_property
    def family_did_it(self) -> bool:
        return bool(set(self.harms) - {"harm_risk_word"}) and bool(WORDS.family.search(self.t))


# Where the message goes: the first rule that holds wins. When in doubt the report wins: the
# flow lets the user back out, an FAQ answer to a disclosure cannot be taken back.
KIND_RULES: tuple[tuple[str, Callable[[Findings], object], TriageKind], ...] = (
    (
        "harm by an adult who works at the school is an allegation, even when a child told us",
        lambda v: v.allegation,
        "allegation",
    ),
    (
        "images involved, but the child is harmed (an adult exploiting a child is abuse)",
        lambda v: v.disclosure and v.incident and (v.child_harmed or v.first_person or v.worry or v.family_did_it),
        "disclosure",
    ),
    ("images shared among young people: the incident flow", lambda v: v.disclosure and v.incident, "incident"),
    ("a child at risk", lambda v: v.disclosure, "disclosure"),
    ("an online-safety incident", lambda v: v.incident, "incident"),
    (
        "'I need to report ...' about an adult at school",
        lambda v: (
            v.report_intent and v.role and (WORDS.allegation_target.search(v.t) or WORDS.adult_conduct.search(v.t))
        ),
        "allegation",
    ),
    (
        "'I need to report an online-safety incident'",
        lambda v: v.report_intent and (v.incidents or WORDS.incident_word.search(v.t)),
        "incident",
    ),
    ("'I need to report a concern': the disclosure flow", lambda v: v.report_intent, "disclosure"),
)


def _reasons(v: Findings) -> list[str]:
    """Short machine-readable codes for the log: which signals made the verdict."""
    reasons: list[str] = []
    if v.first_person:
        reasons.append("child_words_first_person")
    if v.disclosure:
        reasons.extend(v.harms or ["child_at_risk"])
        if v.told:
            reasons.append("disclosure_verb")
        if v.worry:
            reasons.append("staff_worried")
    if v.allegation:
        reasons.append("adult_at_school")
        reasons.append("adult_conduct" if v.adult_acts else "adult_concern")
    if v.incident:
        reasons.extend(v.incidents)
    if v.report_intent:
        reasons.append("report_intent")
    return reasons


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
    v = Findings(t)
    kind = next((outcome for _, condition, outcome in KIND_RULES if condition(v)), None)
    if kind is None:
        return _QUESTION
    reasons = _reasons(v)
    urgent = v.urgent_alone or ((bool(v.harms) or v.first_person or v.told or v.adult_acts) and v.urgent_words)
    if urgent:
        reasons.append("urgent")
    return Triage(kind, urgent, tuple(dict.fromkeys(reasons)))

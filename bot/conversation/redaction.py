"""Personal details taken out of a question before it is kept as a knowledge gap.

Why: `knowledge_gaps.example` is read by whoever maintains the policy, in clear, for
years; it once held "Is <a child's full name> allowed on the residential trip". The policy
owner needs the question, not who it was about, so names and contact details are replaced
by placeholders before the example (and the key that groups repeats) is made.

The rules, in the order they apply to each word:

1. a title (Mr, Mrs, Ms, Miss, Dr ...) keeps its place; the name after it goes: "Mrs [name]";
2. the word after "called" or "named" is a name;
3. a lone capital letter is an initial ("Y6 boy J", "Mrs K"), except "I", and "A" unless it
   follows a word like boy, girl, pupil or a year group;
4. a word that is neither ordinary English (pyspellchecker's list of real words) nor a word
   our own policies and catalog use is a name ("Oluwaseun", "siobhan", "Nguyen");
5. a capitalised word in the middle of a sentence that our policies never use is a name,
   even when it is also an English word ("Grace", "Jack", "Muhammad");
6. right after a name, a word joined with an apostrophe or hyphen that our policies never
   use is its surname ("siobhan o'neill", "Omar Al-Hassan");
7. e-mail addresses, @handles, phone-like digit runs and dates become [email], [handle],
   [number] and [date].

What it cannot see: a name typed in lower case that is also an ordinary English word
("will", "grace") at a place no rule looks. SECURITY.md says so.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.settings import PROJECT_ROOT
from knowledge.normalise import english_words

KNOWLEDGE = PROJECT_ROOT / "knowledge"
NAME = "[name]"
TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "master", "madam", "prof"}
NAMING_WORDS = {"called", "named"}
PERSON_WORDS = {
    "boy",
    "girl",
    "child",
    "pupil",
    "student",
    "kid",
    "lad",
    "son",
    "daughter",
    "sibling",
    "brother",
    "sister",
    "parent",
    "mum",
    "dad",
    "teacher",
    "colleague",
}
ALWAYS_CAPITALISED = {
    "i",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "english",
    "british",
    "christmas",
    "easter",
    "ofsted",
    "god",
}
CONTACTS = (
    (re.compile(r"\S+@\S+\.\w+"), "[email]"),
    (re.compile(r"(?<!\w)@\w+"), "[handle]"),
    (re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"), "[date]"),
    (re.compile(r"(?:\+?\d[\d ]{5,}\d)"), "[number]"),
)
# Placeholders, then words with a digit ("Y6", "3B": kept whole), then words, then single characters.
TOKEN = re.compile(r"\[[a-z]+\]|[^\W_]*\d[^\W_]*|[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*|\S")
YEAR_GROUP = re.compile(r"^(?:y|yr|year)?\d{1,2}$", re.I)


@lru_cache(maxsize=1)
def policy_words() -> frozenset[str]:
    """Every word our bundled policies and intent catalog use: never personal data in a question."""
    words: set[str] = set()
    for path in [*KNOWLEDGE.glob("policies/*.txt"), *KNOWLEDGE.glob("catalog/**/*.yaml")]:
        words.update(w.lower() for w in re.findall(r"[^\W\d_]+", path.read_text(encoding="utf-8")))
    return frozenset(words)


def redact(question: str) -> str:
    """`question` with names, initials and contact details replaced by placeholders."""
    for pattern, placeholder in CONTACTS:
        question = pattern.sub(placeholder, question)
    out: list[str] = []
    previous = ""  # the previous word, lower case
    sentence_start = True
    for match in TOKEN.finditer(question):
        token = match.group()
        if YEAR_GROUP.match(token):
            previous = "year"
        elif token[0].isalpha() and not any(c.isdigit() for c in token):
            word = _base(token)
            surname = bool(out) and out[-1][2] == NAME and re.search(r"['’-]", token) and word not in policy_words()
            if surname or _is_name(token, word, previous, sentence_start):
                token = NAME
            previous, sentence_start = word, False
        elif token in ".!?":
            sentence_start = True
        out.append((match.start(), match.end(), token))
    return _join(question, out)


def _is_name(token: str, word: str, previous: str, sentence_start: bool) -> bool:
    if previous in TITLES or previous in NAMING_WORDS:
        return word not in TITLES
    if len(token) == 1:
        if token in ("I", "a") or token.islower():
            return False
        return token != "A" or previous in PERSON_WORDS or previous == "year"
    if word in TITLES or word in ALWAYS_CAPITALISED:
        return False
    known = policy_words()
    if word not in known and word not in english_words():
        return True
    return token[0].isupper() and not token.isupper() and not sentence_start and word not in known


def _base(token: str) -> str:
    """Lower case, without a possessive: "Priya's" -> "priya"."""
    return re.sub(r"['’]s$", "", token.lower())


def _join(text: str, tokens: list[tuple[int, int, str]]) -> str:
    """Put the tokens back with the original spacing; runs of [name] become one."""
    parts, end, last = [], 0, None
    for start, stop, token in tokens:
        if token == NAME and last == NAME and not text[end:start].strip():
            end = stop
            continue
        parts.append(text[end:start])
        parts.append(token)
        end, last = stop, token
    parts.append(text[end:])
    return "".join(parts)

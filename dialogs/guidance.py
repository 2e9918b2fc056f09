"""What staff are told when they ask a question in the middle of a report.

Why this exists: a member of staff walking through a report asks things like "can I
screenshot it as evidence?" or "what do I do with the phone?". The school's social-media
policy rarely covers them, so the general policy search answered "I couldn't find that"
at exactly the moment a wrong move (a screenshot of a nude image of a child is itself an
offence) does harm. The answers are fixed national guidance, so each flow carries them as
data (`ReportFlow.guide`: the flow's own entries, then the shared ones), written from the
project's safeguarding brief (shared/SAFEGUARDING.md): UKCIS, *Sharing nudes and
semi-nudes: advice for education settings* (2024), and *Keeping Children Safe in
Education* (KCSIE), Part 1 (what all staff do) and Part 4 (concerns about adults).

Each entry is a `Guidance(topic, answer, examples)`: `topic` names what it is about in a
few key words (they are matched too), `answer` is what the bot says, `examples` are the
ways staff actually ask it. `match()` picks the entry closest to a question with
rapidfuzz over content words (the small words every question shares are dropped first),
and returns None when nothing is close enough, so the caller can fall back to the policy.

Pure data and one function: no botbuilder, no I/O, nothing logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

MATCH_AT = 80  # 0-100; below this the question is left to the policy search
MAX_QUESTION_WORDS = 12  # content words; longer text is an account, not a quick question


@dataclass(frozen=True)
class Guidance:
    """One thing staff ask mid-report, and the answer national guidance gives."""

    topic: str
    answer: str
    examples: tuple[str, ...]


# --- shared by every flow ---------------------------------------------------------------------------

SHARED = (
    Guidance(
        "promise secrecy confidential secret",
        "Never promise to keep it secret or confidential, whoever asks. Say kindly that you have to pass it "
        "on to the people who need to know, so that children can be kept safe.",
        (
            "can I promise to keep it secret",
            "they asked me not to tell anyone",
            "should I keep it confidential",
            "can I say it stays between us",
            "she made me promise not to tell",
            "what if they don't want me to tell",
        ),
    ),
    Guidance(
        "emergency danger 999 ambulance",
        "If a child is in immediate danger or needs medical help, call 999 now, before anything else: this "
        "report can wait. Then come back and finish it.",
        (
            "should I call 999",
            "what if they are in danger right now",
            "is this an emergency",
            "do I call an ambulance",
            "what if they're not safe to go home",
        ),
    ),
    Guidance(
        "investigate evidence find out proof",
        "Don't investigate, look for evidence or question anyone involved: that can harm the child and any "
        "later inquiry. Record what you already know and pass it on; the person this report goes to decides "
        "what happens next.",
        (
            "should I investigate",
            "should I find out more first",
            "do I need proof",
            "should I get evidence",
            "should I look into it first",
            "what if I'm not sure it's true",
        ),
    ),
    Guidance(
        "discuss colleagues other staff gossip",
        "Only the people who need to know are told, and the report decides who that is. Don't discuss it "
        "with other staff, pupils or parents.",
        (
            "can I talk to other staff about it",
            "can I discuss it with colleagues",
            "should I tell my team",
            "can I ask a colleague what they think",
        ),
    ),
    Guidance(
        "phone device images messages screenshot",
        "Don't look through the device, and never view, copy, screenshot or forward images or messages "
        "on it, even as evidence: an image of a child can itself be an offence to copy. If it holds "
        "something that matters, keep it safe as the DSL directs (commonly switched off and locked away) "
        "and hand it to the DSL. Describe in the report what you were told or saw, in words.",
        (
            "what do i do with the phone",
            "should I take the phone off them",
            "can I screenshot the messages",
            "should I look at the messages on her phone",
            "she showed me pictures on her phone",
            "do I keep the tablet",
        ),
    ),
    Guidance(
        "write record words wording",
        "Write it promptly and factually, in the words actually used (the child's own words, slang and "
        "spelling included), not your summary. Write as if the child's parents may one day read it.",
        (
            "what should I write",
            "how do I write it up",
            "do I use their exact words",
            "should I tidy up the wording",
            "can I summarise what they said",
            "how much detail do I put",
        ),
    ),
)


# --- a child has told me something ------------------------------------------------------------------

DISCLOSURE = (
    Guidance(
        "tell DSL deputy who",
        "Tell the DSL (or a deputy) in person straight away, today at the latest; this report alerts them "
        "too. If no DSL is available, tell a senior leader. If a child is in immediate danger, call 999 first. "
        "Whether children's social care is contacted is the DSL's call, although any member of staff may "
        "refer directly if they need to.",
        (
            "who do I tell",
            "do I need to tell the DSL",
            "what if the DSL isn't in",
            "who else needs to know",
            "who do I report this to",
            "can I tell the deputy instead",
        ),
    ),
    Guidance(
        "social care services referral police",
        "Tell the DSL: contacting children's social care or the police is normally their call. If a child is "
        "in immediate danger, call 999 now. Any member of staff may refer directly to children's social care "
        "or the police if they need to, for example when no DSL can be reached.",
        (
            "should I call social services",
            "do I ring children's services",
            "do I make a referral",
            "should I call the police",
            "do I contact social care",
        ),
    ),
    Guidance(
        "leading questions ask child",
        "Listen; don't lead. Use open prompts like 'tell me', 'explain', 'describe'. Don't ask questions that "
        "suggest an answer (such as 'did your dad do this?'), and don't push for details or go back to ask "
        "more: the DSL decides who talks to the child next. Write down any questions you did ask.",
        (
            "what should I ask them",
            "can I ask who did it",
            "should I ask more questions",
            "can I ask if it was her dad",
            "should I ask for details",
            "can I go back and ask them",
        ),
    ),
    Guidance(
        "say reassure child",
        "Stay calm and don't show shock. Tell the child they have done the right thing in telling you, that "
        "you take them seriously, and that you have to pass it on so they can get help.",
        ("what do I say to the child", "how do I reassure her", "what do I tell the child", "what should I say to him"),
    ),
    Guidance(
        "photograph photo picture injury bruise marks",
        "No. Never photograph injuries, and don't examine the child or ask them to show you. Describe what "
        "you saw in words: body area, size, colour.",
        (
            "can I take a photo of the bruise",
            "should I photograph the injury",
            "can I take a picture of the marks",
            "should I look at the bruises",
            "can I ask them to show me",
        ),
    ),
    Guidance(
        "parents carers call home",
        "Don't contact the parents or carers yourself: the DSL decides who tells them and when, because "
        "telling them could put the child at more risk.",
        (
            "should I tell the parents",
            "should I call home",
            "do I ring mum",
            "can I speak to the parents",
            "should I let the carers know",
        ),
    ),
    Guidance(
        "contact confront alleged person abuser",
        "Don't contact or confront the person the child named, and don't investigate: the DSL decides what "
        "happens next.",
        (
            "should I speak to the uncle",
            "can I confront him",
            "should I talk to the person who did it",
            "can I ask the stepdad about it",
        ),
    ),
    Guidance(
        "happens next after",
        "The DSL reads the report today and decides the next steps, which may include children's social care "
        "or the police. You'll get a message here when they have read it. Don't investigate or discuss it; "
        "carry on supporting the child as usual.",
        (
            "what happens next",
            "what happens now",
            "what will the DSL do",
            "will the child be taken away",
            "will I hear back",
        ),
    ),
)


# --- online-safety incidents (UKCIS for nudes and semi-nudes) -----------------------------------------

INCIDENT = (
    Guidance(
        "screenshot copy print forward save image picture photo evidence view look",
        "No. Never view, copy, screenshot, print, forward or save the images, even as evidence, and never ask "
        "a child to send or show them: with nude or semi-nude images of a child that is itself making or "
        "distributing an indecent image. Describe what you know in words; the DSL deals with the device and "
        "any evidence.",
        (
            "can I screenshot it as evidence",
            "should I take a screenshot",
            "can I forward the picture to the DSL",
            "can I save a copy of the image",
            "should I print it out",
            "can I look at the photo to check",
            "can I ask her to show me the picture",
            "can I ask him to send it to me",
            "can I keep the image as proof",
            "can I screenshot the messages for the DSL",
            "can I look at the images",
        ),
    ),
    Guidance(
        "seen accident already looked opened",
        "If you have already seen it by accident, don't look again and don't copy or forward it. Tell the DSL "
        "that you saw it, and say so in this report.",
        (
            "I already saw the picture",
            "what if I've already looked at it",
            "I accidentally opened it",
            "I saw it by accident",
            "I've seen the image, am I in trouble",
        ),
    ),
    Guidance(
        "phone device laptop tablet confiscate secure",
        "Don't look through the device. Secure it as the DSL directs, commonly switched off and locked away, "
        "and hand it to the DSL. Don't delete anything on it.",
        (
            "what do I do with the phone",
            "should I take the phone off them",
            "can I look through his phone",
            "where do I put the device",
            "should I confiscate the phone",
            "do I switch the phone off",
            "can I give the phone back",
        ),
    ),
    Guidance(
        "delete remove",
        "Don't delete it, and don't ask the child to delete it: the DSL decides what happens to it, with the "
        "police if needed.",
        (
            "should I delete the image",
            "can I tell them to delete it",
            "should they delete the pictures",
            "can I get it taken down",
            "should I make them delete it",
        ),
    ),
    Guidance(
        "ask children pupils question what happened",
        "Don't ask the children involved about the images or what they show: the DSL does that. Do tell the "
        "child you have to pass it on and that they will get help.",
        (
            "should I ask her what's in the picture",
            "can I ask who sent it",
            "should I question the pupils",
            "can I ask them what happened",
            "should I talk to the boy who shared it",
        ),
    ),
    Guidance(
        "tell parents staff pupils",
        "Don't tell other staff, pupils or parents yourself: the DSL decides who needs to know and when.",
        (
            "should I tell the parents",
            "can I tell her form tutor",
            "should I call home",
            "do I tell the other teachers",
            "should I warn the class",
        ),
    ),
    Guidance(
        "police CEOP report crime social care",
        "Tell the DSL now; they decide about the police and children's social care. The police are involved "
        "when an adult is involved, when there is coercion, blackmail or payment, or when a child under 13 is "
        "involved. If a child is in immediate danger, call 999 now.",
        (
            "should I call the police",
            "do I report it to CEOP",
            "does this need to go to the police",
            "is it a crime",
            "is it illegal",
            "do I need to contact social care",
            "who else needs to be told",
        ),
    ),
    Guidance(
        "blame trouble punish shame",
        "Don't blame or shame anyone involved. Reassure the child that telling was the right thing and that "
        "they will get help; the DSL decides what happens next.",
        ("should I tell them off", "is she in trouble", "should I punish them", "will they be excluded"),
    ),
    Guidance(
        "who tell DSL",
        "Tell the DSL (or a deputy) now, in person if you can; this report alerts them too. If a child is in "
        "immediate danger, call 999 first.",
        ("who do I tell", "do I need to tell the DSL", "who do I report this to", "what if the DSL isn't in"),
    ),
    Guidance(
        "happens next after",
        "The DSL decides the next steps: they may speak to the children involved, contact parents, and involve "
        "the police or children's social care. You'll get a message here when they have read the report. "
        "Keep any device secured and don't look through it.",
        ("what happens next", "what happens now", "what will the DSL do", "will I hear back"),
    ),
)


# --- a concern about an adult who works at the school (KCSIE Part 4) -----------------------------------

ADULT_CONCERN = (
    Guidance(
        "tell warn approach colleague person adult",
        "No. Don't tell, warn or approach the colleague, and don't ask them to explain. This goes to the "
        "headteacher, or to the chair of governors if it is about the headteacher, who decides what happens "
        "next with the LADO. The person concerned never sees this report.",
        (
            "should I tell my colleague",
            "can I talk to them about it first",
            "should I warn them",
            "can I give them a chance to explain",
            "do I let the teacher know",
            "can I ask him why he did it",
        ),
    ),
    Guidance(
        "who see goes head chair governors DSL",
        "It goes to the headteacher only, or to the chair of governors if it is about the headteacher. The "
        "person concerned never sees the report or the alert.",
        (
            "who will see this",
            "who does this go to",
            "what if it's about the head",
            "will the DSL see it",
            "will they find out it was me",
            "will they know I reported them",
            "who do I tell",
            "can I tell the DSL",
        ),
    ),
    Guidance(
        "LADO local authority designated officer",
        "The headteacher (or chair of governors) acts as case manager and consults the LADO (local authority "
        "designated officer), normally within one working day. You don't need to contact the LADO yourself.",
        ("should I call the LADO", "who is the LADO", "do I contact the local authority", "what is a LADO"),
    ),
    Guidance(
        "low level serious enough nothing self report",
        "Report it anyway: it's for the headteacher to judge. Conduct against the staff code of conduct that "
        "doesn't meet the harm threshold is a low-level concern, recorded and reviewed under the school's "
        "policy. Reporting your own conduct is encouraged.",
        (
            "what if it's nothing",
            "is this serious enough to report",
            "is it a big deal",
            "can I report myself",
            "what if I'm overreacting",
            "is this a low level concern",
        ),
    ),
    Guidance(
        "police social care child risk",
        "If a child is at risk now, children's social care or the police come first: call 999 in an "
        "emergency. Otherwise the headteacher (or chair of governors) decides with the LADO whether the police "
        "or social care are involved.",
        (
            "should I call the police",
            "do I contact social care",
            "who else needs to be told",
            "should I report it to the police",
        ),
    ),
    Guidance(
        "happens next after",
        "The headteacher (or chair of governors) is alerted and decides the next steps, including consulting "
        "the LADO where needed. The person concerned can't see the report. Don't investigate or discuss it "
        "with others.",
        (
            "what happens next",
            "what happens now",
            "what will the head do",
            "will they be suspended",
            "will I hear back",
        ),
    ),
)

# --- matching -------------------------------------------------------------------------------------------

# Words every question shares ("can I", "should we", "the"): they say nothing about the topic.
_SMALL_WORDS = frozenset(
    """
a an the this that these those it its it's i i'm i've me my we us our you your he him his she her they them
their someone somebody anyone anything something to of for in on at with about as by from into up out off
and or but if so then than just now still also really already yet be is am are was were been being do does
did doing done can could should shall would will may might must have has had get got go going make need
what whats what's how where when why which there here any some all ok okay allowed alright fine
right wrong please yes no not don't dont
""".split()
)


def words(text: str) -> str:
    """The content words of a text, lower case, plurals trimmed, in order, joined by spaces."""
    kept = []
    for word in re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'")):
        word = word.strip("'")
        if word in _SMALL_WORDS or not word:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]  # images -> image, parents -> parent
        kept.append(word)
    return " ".join(kept)


@lru_cache(maxsize=8)
def _prepared(entries: tuple[Guidance, ...]) -> tuple[tuple[Guidance, str, tuple[str, ...]], ...]:
    """Each entry with its topic words and its examples' content words, computed once per flow."""
    return tuple((entry, words(entry.topic), tuple(words(example) for example in entry.examples)) for entry in entries)


def score(question: str, entries: tuple[Guidance, ...]) -> list[tuple[float, str]]:
    """Every entry's closeness to a question, best first, as (score, topic): for tests and tuning."""
    asked = words(question)
    return (
        sorted(
            ((_score(asked, topic, examples), entry.topic) for entry, topic, examples in _prepared(entries)),
            reverse=True,
        )
        if asked
        else []
    )


def _score(asked: str, topic: str, examples: tuple[str, ...]) -> float:
    """0-100: the better of two readings of the question's content words.

    - like one of the examples (rapidfuzz token sort: word order doesn't matter, extra words cost);
    - about the topic: 60 plus 40 times the share of its words that are topic words (a near spelling
      counts), so a question at least half made of topic words reaches MATCH_AT ("delete it?",
      "how do I deal with the phone").
    """
    by_example = max((fuzz.token_sort_ratio(asked, example) for example in examples), default=0.0)
    said = asked.split()
    hits = sum(1 for word in said if any(fuzz.ratio(word, key) >= 85 for key in topic.split()))
    by_topic = 60 + 40 * hits / len(said) if hits else 0.0
    return max(by_example, by_topic)


def match(question: str | None, entries: tuple[Guidance, ...]) -> Guidance | None:
    """The entry that answers this question, or None when none is close enough.

    Ties go to the earlier entry, so a flow's own entries win over the shared ones.
    """
    asked = words(question or "")
    if not asked or len(asked.split()) > MAX_QUESTION_WORDS:
        return None
    best, best_score = None, float(MATCH_AT) - 0.001
    for entry, topic, examples in _prepared(entries):
        value = _score(asked, topic, examples)
        if value > best_score:
            best, best_score = entry, value
    return best


__all__ = ["Guidance", "SHARED", "DISCLOSURE", "INCIDENT", "ADULT_CONCERN", "match", "score", "words"]

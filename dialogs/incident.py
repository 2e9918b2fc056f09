r"""Online-safety incident: cyberbullying, nudes, a pupil contacting staff, harmful content...

The nudes branch follows UKCIS (2024): report to the DSL at once; never view, copy, print,
share, store or save the imagery, never ask a child to send it; the flow refuses any
attachment and says why. If a member of staff's own conduct is part of it, it is a
concern about an adult, so the flow hands over to that flow instead (it routes to the
headteacher, not the DSL).

    [start]  (the first message already names the type, e.g. "a nude pic": "It sounds like:
       v      Nudes or semi-nudes being shared. Is that right?" yes -> taken | no -> asked in full)
    type (cyberbullying | staff contact | nudes | harmful content | photos posted | other)
       |--nudes--> "don't view, copy or forward; no attachments" (attachments refused from here on)
       |--other--> describe the type
       v
    staff conduct involved? --yes--> hand over to the adult-concern flow
       | no
       v
    platform -> when -> pupils involved and roles -> what happened
       v
    imagery involved? (yes/no only; skipped for nudes: it is implied)
       v
    device secured? -> actions taken -> who has been told (DSL, police, CEOP)
       v
    REVIEW: summary --submit--> filed -> receipt
              \--change an answer / cancel (as every flow)

    At every step a question ("can I screenshot it as evidence?", "what do i do with the phone")
    is answered from dialogs.guidance.INCIDENT (UKCIS) and the step is asked again.
"""

from __future__ import annotations

import re

from dialogs import guidance
from dialogs.flow import ReportFlow
from dialogs.progress import ReportProgress
from dialogs.prompting import say
from dialogs.questions import Question
from dialogs.validation import YES_NO, Option

INCIDENT_TYPES = (
    Option("cyberbullying", "Cyberbullying", ("bullying", "online bullying")),
    Option("staff_contact", "A pupil contacting staff on personal accounts", ("pupil contact", "contact")),
    Option("nudes", "Nudes or semi-nudes being shared", ("nudes", "semi-nudes", "sexting", "images")),
    Option("harmful_content", "Harmful content", ("harmful", "content")),
    Option("photos_posted", "Photos of pupils posted by parents or others", ("photos", "photos posted")),
    Option("other", "Something else", ("else", "other")),
)
DEVICE_OPTIONS = (
    Option("yes", "Yes, it's secured", ("y", "yes", "secured")),
    Option("no", "No", ("n", "not yet")),
    Option("no_device", "No device involved", ("none", "n/a", "no device")),
)

# Words that already say which kind of incident it is, most serious first: a message about a
# fake nude is a nudes incident before it is anything else. Matched on the lower-cased message.
TYPE_HINTS = (
    (
        "nudes",
        re.compile(
            r"\b(?:(?:semi[- ]?)?nudes?|naked|sexting|sexts?|topless|dick pics?|"
            r"(?:explicit|sexual|indecent|rude) (?:pics?|photos?|pictures?|images?|videos?|selfies?))\b"
        ),
    ),
    (
        "staff_contact",
        re.compile(
            r"\b(?:pupil|student|child|kid)s? (?:\w+ )?(?:messag\w*|add(?:ed|ing)?|follow\w*|dm'?d|contact\w*|"
            r"friend request\w*) (?:me|(?:a )?(?:teacher|member of staff|staff))\b"
        ),
    ),
    (
        "cyberbullying",
        re.compile(
            r"\b(?:cyber ?bull\w*|bull(?:y|ying|ied|ies)|fake (?:\w+ ){0,2}(?:accounts?|profiles?|pages?)|"
            r"pretending to be|impersonat\w*|troll\w*|hate (?:page|account)s?)\b"
        ),
    ),
    (
        "photos_posted",
        re.compile(
            r"\b(?:posted|posting|shared|sharing|put up) (?:\w+ ){0,2}(?:photos?|pictures?|pics?|videos?) "
            r"of (?:our |the |some )?(?:pupils|children|kids|students|class)\b"
        ),
    ),
    (
        "harmful_content",
        re.compile(
            r"\b(?:harmful|violent|extremist|self[- ]harm|suicide|pornographic|gore|beheading) "
            r"(?:content|videos?|material|images?|posts?|websites?|sites?)\b|\bporn\w*"
        ),
    ),
)


def incident_type_in(text: str) -> str | None:
    """The incident type a message already names ("a nude pic" -> nudes), or None."""
    said = (text or "").lower().replace("\u2019", "'")
    return next((kind for kind, pattern in TYPE_HINTS if pattern.search(said)), None)


NUDES_WARNING = (
    "Important: do not view, copy, print, share, screenshot or save the images, and never ask a "
    "child to send them. Don't send them here either: I won't accept attachments in this report. "
    "Tell the DSL now. If an adult is involved, the police must be told."
)


def _is_nudes(answers: dict) -> bool:
    return answers.get("type") == "nudes"


class IncidentFlow(ReportFlow):
    kind = "incident"
    title = "Online-safety incident report"
    guide = guidance.INCIDENT + guidance.SHARED  # UKCIS: never screenshot; secure the device
    questions = (
        Question(
            "type",
            "Type of incident",
            "What kind of online-safety incident is it?",
            options=INCIDENT_TYPES,
            help="Pick the closest. 'A pupil contacting staff' means a pupil messaging a member of "
            "staff on their personal social media or phone.",
        ),
        Question(
            "type_detail",
            "Type (described)",
            "Briefly, what kind of incident is it?",
            when=lambda a: a.get("type") == "other",
        ),
        Question(
            "staff_involved",
            "A member of staff's conduct involved",
            "Is a member of staff's own conduct part of this (for example they shared, asked for "
            "or kept images, or messaged a pupil privately)?",
            options=YES_NO,
            help="If an adult who works at the school may have behaved wrongly, that is a concern "
            "about an adult, which goes to the headteacher rather than the DSL.",
        ),
        Question("platform", "Platform", "Which app, website or platform was it on?"),
        Question("when", "When", "When did it happen, or when did you find out?"),
        Question(
            "involved",
            "Pupils involved and their roles",
            "Which pupils are involved, and what is each one's role: target, alleged perpetrator or witness?",
        ),
        Question(
            "what_happened",
            "What happened",
            "What happened? Describe it in words.",
            guidance="Describe, don't copy: no screenshots, and don't forward anything.",
        ),
        Question(
            "imagery",
            "Images or videos involved",
            "Were images or videos involved?",
            options=YES_NO,
            when=lambda a: not _is_nudes(a),
        ),
        Question(
            "device_secured",
            "Device secured",
            "Has the device been secured (switched off and kept safe, not searched)?",
            options=DEVICE_OPTIONS,
            help="Don't look through the device. Switch it off, keep it somewhere safe and give it to the DSL.",
        ),
        Question("actions", "Actions taken", "What have you done so far?"),
        Question(
            "told",
            "Who has been told",
            "Who has been told already (DSL, police, CEOP, parents)? Type 'no one yet' if nobody.",
        ),
    )

    def category(self, answers: dict) -> str:
        return answers.get("type", "")

    def suggest(self, text: str) -> dict[str, str]:
        """A message that already says what happened ("a fake account") suggests the incident type."""
        kind = incident_type_in(text)
        return {"type": kind} if kind else {}

    def urgency(self, answers: dict) -> str:
        return "high" if _is_nudes(answers) else "normal"

    async def after_answer(self, context, progress, question):
        answers = progress.answers
        if question.key == "type" and _is_nudes(answers):
            await say(context, NUDES_WARNING)
        if question.key == "staff_involved" and answers.get("staff_involved") == "yes":
            await say(
                context,
                "A concern about the conduct of someone who works at the school goes to the "
                "headteacher (or the chair of governors if it is about the headteacher), not "
                "just the DSL. I'll switch to that report now; nothing has been sent yet.",
            )
            return {"switch_to": "adult_concern", "school": progress.school}
        return None

    def attachment_refusal(self, progress: ReportProgress) -> str:
        if _is_nudes(progress.answers):
            return (
                "I can't accept that, and it has not been kept. Please delete it from this chat now. "
                "Never view, copy, forward or save nude or semi-nude images of a child, even to "
                "report them: the DSL will deal with the device. Describe what you know in words."
            )
        return super().attachment_refusal(progress)

    def receipt(self, reference: str, answers: dict) -> str:
        return (
            f"Thank you. Your report is saved: reference {reference}.\n"
            "What happens next: the DSL has been alerted and will decide the next steps; you'll get a "
            "message here when they have read it. Keep any device secured and don't look through it. "
            "This chat keeps only this receipt."
        )


__all__ = ["IncidentFlow", "INCIDENT_TYPES"]

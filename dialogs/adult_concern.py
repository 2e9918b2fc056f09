r"""Concern about an adult who works at the school (KCSIE Part 4).

Routing is decided before anything is filed: to the headteacher, or to the chair of
governors when the concern is about the headteacher (`route_to` = head | chair), so the
person concerned never receives the alert or can open the report. An allegation (possible
harm to a child, an offence, or a risk to children) is distinguished from a low-level
concern (conduct against the code of conduct below that threshold); each gets its own
guidance. The reporter never investigates: the case manager consults the LADO.

    [start]
       v
    about the headteacher? --yes--> route_to = chair   (no --> route_to = head)
       v
    child in danger now? --yes--> "CALL 999 NOW" + urgent report filed to head/chair
       v
    allegation | low-level concern | not sure (treated as an allegation)
       |--allegation--> guidance: LADO within one working day, don't investigate or tell the adult
       |--low-level --> guidance: recorded and reviewed by the head; self-reporting welcome
       v
    the adult and their role -> what happened -> when and where -> children involved
       v
    witnesses -> what you have done / who you've told
       v
    REVIEW: summary (shows who it goes to) --submit--> filed -> receipt
              \--change an answer / cancel (as every flow)
"""

from __future__ import annotations

from dialogs import guidance
from dialogs.disclosure import CALL_999
from dialogs.flow import ReportFlow
from dialogs.prompting import say
from dialogs.questions import Question
from dialogs.validation import YES_NO, Option

CONCERN_TYPES = (
    Option("allegation", "Allegation: they may have harmed a child or may pose a risk", ("allegation", "harm")),
    Option(
        "low_level",
        "Low-level concern: against the code of conduct, no harm",
        ("low level", "low-level", "low level concern"),
    ),
    Option("not_sure", "Not sure", ("unsure", "don't know", "dont know")),
)

ALLEGATION_GUIDANCE = (
    "This is treated as an allegation. The headteacher (or chair of governors) acts as case manager "
    "and consults the LADO (local authority designated officer), normally within one working day. "
    "Don't investigate, don't question the child or the adult, and don't tell the adult about it."
)
LOW_LEVEL_GUIDANCE = (
    "Low-level concerns are recorded and reviewed by the headteacher under the staff code of conduct; "
    "reporting them is the right thing to do (and self-reporting is encouraged). Don't investigate "
    "or discuss it with the person."
)


def _route(answers: dict) -> str:
    return "chair" if answers.get("about_head") == "yes" else "head"


def _route_label(answers: dict) -> str:
    return "the chair of governors" if _route(answers) == "chair" else "the headteacher"


class AdultConcernFlow(ReportFlow):
    kind = "adult_concern"
    title = "Concern about an adult"
    guide = guidance.ADULT_CONCERN + guidance.SHARED  # e.g. "should I tell my colleague?": no
    intro = (
        "This report is about someone who works at the school. It goes only to the headteacher, "
        "or to the chair of governors if it is about the headteacher. The person concerned will "
        "never see it."
    )
    questions = (
        Question(
            "about_head",
            "About the headteacher",
            "Is your concern about the headteacher?",
            options=YES_NO,
            guidance="If a child is in danger right now, call 999 first.",
            help="If it is about the headteacher, it goes to the chair of governors instead, so "
            "the headteacher never sees it.",
        ),
        Question(
            "immediate_danger",
            "Child in immediate danger",
            "Is a child in immediate danger or in need of medical help right now?",
            options=YES_NO,
        ),
        Question(
            "concern_type",
            "Type of concern",
            "Which best describes it?",
            options=CONCERN_TYPES,
            help="An allegation: the adult may have harmed a child, committed an offence against "
            "or related to a child, or behaved in a way that shows they may pose a risk. "
            "A low-level concern: behaviour against the code of conduct that doesn't meet that "
            "threshold, e.g. photographing pupils on a personal phone against policy.",
        ),
        Question("person", "The adult and their role", "Who is the adult, and what is their role?"),
        Question(
            "what_happened",
            "What happened",
            "What happened, or what did you see or hear? Stick to facts, in your own words.",
        ),
        Question("when_where", "When and where", "When and where was this?"),
        Question(
            "children", "Children involved", "Which children, if any, were involved or affected? Type 'none' if none."
        ),
        Question("witnesses", "Witnesses", "Did anyone else see or hear it? Type 'no one' if nobody."),
        Question(
            "actions",
            "What the reporter has done",
            "What have you done about it so far, and who have you told?",
            guidance="Don't investigate, and don't approach or tell the adult concerned.",
        ),
    )

    def route_to(self, answers: dict) -> str:
        return _route(answers)

    def category(self, answers: dict) -> str:
        return "low_level" if answers.get("concern_type") == "low_level" else "allegation"

    def urgency(self, answers: dict) -> str:
        if answers.get("immediate_danger") == "yes":
            return "urgent"
        return "normal" if answers.get("concern_type") == "low_level" else "high"

    def summary_fields(self, answers: dict):
        return (("Goes to", _route_label(answers)), *super().summary_fields(answers))

    async def after_answer(self, context, progress, question):
        answers = progress.answers
        if question.key == "about_head":
            await say(context, f"This report will go to {_route_label(answers)} only.")
        if question.key == "immediate_danger" and answers.get("immediate_danger") == "yes":
            await say(context, CALL_999 + " Children's social care or the police come first.")
            reference = await self.raise_urgent_alert(context, progress)
            if reference:
                await say(
                    context,
                    f"I've sent an URGENT alert to {_route_label(answers)} now "
                    f"(reference {reference}). Then answer the questions below.",
                )
            else:
                await say(
                    context,
                    f"I couldn't send the alert automatically. After calling 999, tell "
                    f"{_route_label(answers)} by phone or in person now.",
                )
        if question.key == "concern_type":
            low = answers.get("concern_type") == "low_level"
            await say(context, LOW_LEVEL_GUIDANCE if low else ALLEGATION_GUIDANCE)
        return None

    def after_cancel_advice(self) -> str:
        return " If you are worried about how an adult is behaving towards children, tell the headteacher today."

    def receipt(self, reference: str, answers: dict) -> str:
        return (
            f"Thank you. Your report is saved: reference {reference}.\n"
            f"What happens next: {_route_label(answers)} has been alerted and will decide the next "
            "steps, including consulting the LADO where needed. The person concerned cannot see it. "
            "Don't investigate or discuss it with others. This chat keeps only this receipt."
        )


__all__ = ["AdultConcernFlow", "CONCERN_TYPES"]

r"""Disclosure: a child has told you something, or you are worried about a child.

Immediate danger is asked first and acted on before anything else: "call 999 now", and
the report is filed at once as URGENT so the DSL is alerted while the rest is still being
written; the final submit completes that same report (same reference). Coaching is shown
at the step where it matters (KCSIE: listen, no leading questions, never promise secrecy,
don't investigate or contact the alleged abuser, never view/copy/forward images).
The reporter is whoever the channel says is typing; they are never asked who they are.

    [start]
       |
       v
    danger? --yes--> "CALL 999 NOW" + urgent report filed (alert to DSL) --+
       | no                                                                |
       v  <----------------------------------------------------------------+
    child (name, year/class)          coaching: listen, no leading questions, no secrecy
       v
    words (verbatim, never reinterpreted)
       v
    when & where -> who was present -> injuries (in words; never photograph)
       v
    demeanour -> what you said and did -> others at risk
       v
    alleged person (don't contact or investigate)
       v
    DSL told in person? --yes--> who and when
       |                             |
       v  <--------------------------+
    REVIEW: summary --submit--> filed (same reference if urgent) -> receipt only
       |   \--change an answer--> pick field -> re-ask it -> REVIEW
       \--cancel--> confirm -> cancelled (an urgent alert already sent stands)

    At every step: cancel | help | back | start again | a question (answered from dialogs.guidance,
    else the policy; step re-asked). Never at "words": the child's words are recorded, even "...?"
"""

from __future__ import annotations

from dialogs import guidance
from dialogs.flow import ReportFlow
from dialogs.prompting import say
from dialogs.questions import Question
from dialogs.validation import YES_NO

DANGER = "Is a child in immediate danger or in need of medical help right now?"
CALL_999 = (
    "Call 999 now, before anything else. Give first aid if it is needed and you are trained. "
    "Stay with the child if it is safe."
)

LISTENING = (
    "If the child is still with you: listen calmly and don't show shock. Don't ask leading "
    "questions; use open prompts like 'tell me', 'explain', 'describe'. Never promise to keep "
    "it secret: tell them you will need to pass it on to help keep them safe."
)


class DisclosureFlow(ReportFlow):
    kind = "disclosure"
    title = "Disclosure report"
    guide = guidance.DISCLOSURE + guidance.SHARED
    questions = (
        Question(
            "immediate_danger",
            "Immediate danger or medical need",
            DANGER,
            options=YES_NO,
            help="If a child could be hurt in the next few minutes, or needs a doctor, answer Yes: "
            "I'll tell you to call 999 and alert the DSL straight away.",
        ),
        Question(
            "child",
            "The child",
            "Which child is this about? Their name and year group or class.",
            guidance=LISTENING,
            help="Give the child's name and year group or class, e.g. 'Jayden, Year 5'. "
            "Type 'not known' if you don't know.",
        ),
        Question(
            "words",
            "The child's words (verbatim)",
            "What did the child say? Type their words exactly as they said them, slang and "
            "spelling included; don't tidy them up.",
            guidance="Record, don't interpret: their words, not your summary.",
            verbatim=True,
            help="Write it as if the child's parents may one day read it. Put their words "
            "exactly as said; if you don't remember exactly, say so.",
        ),
        Question(
            "when_where",
            "When and where",
            "When and where did the child tell you (date, time, place, what was happening)?",
        ),
        Question("present", "Who else was present", "Who else was there? Type 'no one' if nobody."),
        Question(
            "injuries",
            "Injuries seen",
            "Did you see any injuries? Describe them in words: body area, size, colour. Type 'none seen' if none.",
            guidance="Describe injuries in words only. Never photograph them, and never view, "
            "copy or forward images of a child.",
            help="Say where on the body, roughly how big, and what it looked like. Don't "
            "examine the child or ask them to show you.",
        ),
        Question("demeanour", "The child's demeanour", "How did the child seem (calm, upset, frightened, withdrawn)?"),
        Question(
            "staff_response",
            "What the adult said and did",
            "What did you say and do? Include any questions you asked, as you asked them.",
            help="It's fine if you asked questions: write them down as you asked them. "
            "Don't go back to the child to ask more.",
        ),
        Question(
            "others_at_risk",
            "Others possibly at risk",
            "Might anyone else be at risk, such as brothers, sisters or other pupils? "
            "Type 'not known' if you don't know.",
        ),
        Question(
            "alleged_person",
            "Alleged person and relationship",
            "Did the child say who did this, and how they know them? Type 'not said' if not.",
            guidance="Don't contact or confront the person, and don't investigate: the DSL decides what happens next.",
        ),
        Question(
            "dsl_told",
            "DSL already told in person",
            "Have you already told a DSL (or deputy) in person?",
            options=YES_NO,
        ),
        Question(
            "dsl_told_detail",
            "Which DSL, and when",
            "Who did you tell, and when?",
            when=lambda answers: answers.get("dsl_told") == "yes",
        ),
    )

    def urgency(self, answers: dict) -> str:
        return "urgent" if answers.get("immediate_danger") == "yes" else "high"

    def category(self, answers: dict) -> str:
        return "immediate_danger" if answers.get("immediate_danger") == "yes" else ""

    async def after_answer(self, context, progress, question):
        if question.key == "immediate_danger" and progress.answers.get("immediate_danger") == "yes":
            await say(context, CALL_999)
            reference = await self.raise_urgent_alert(context, progress)
            if reference:
                await say(
                    context,
                    f"I've sent an URGENT alert to the DSL now (reference {reference}). "
                    "When you can, answer the questions below to complete the record.",
                )
            else:
                await say(
                    context,
                    "I couldn't send the alert automatically. After calling 999, tell the "
                    "DSL by phone or in person now. Then complete the record below.",
                )
        return None

    def receipt(self, reference: str, answers: dict) -> str:
        told = answers.get("dsl_told") == "yes"
        return (
            f"Thank you. Your report is saved: reference {reference}.\n"
            "What happens next: the DSL has been alerted and will read it today; you'll get a "
            "message here when they have. "
            + ("" if told else "Please also tell the DSL in person today. ")
            + "Don't investigate or discuss it with others. This chat keeps only this receipt; "
            "the record itself is stored securely for the safeguarding team."
        )

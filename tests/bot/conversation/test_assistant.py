"""What a member of staff reads: triage first, the school's own words, honesty when silent."""

import pytest

from bot import triage
from bot.conversation.assistant import Assistant, UnknownSchool
from knowledge.catalog import load_catalog
from knowledge.policy_file import bundled_policies, make_policy

HILLSIDE = """Hillside Primary School
Online Conduct Policy

Staff conduct online
Staff must never accept friend requests or follow requests from current pupils on any personal social networking account.
Staff must not post photographs of pupils on their personal social media.
"""


@pytest.fixture(scope="module")
def assistant():
    return Assistant(load_catalog(), bundled_policies())


def test_a_disclosure_starts_the_report_and_gets_no_faq_content(assistant):
    answer = assistant.answer(
        "a girl in my class just told me her stepdad hits her and she is scared to go home", "oakfield"
    )
    assert answer.kind == "disclosure"
    assert answer.clauses == () and answer.verdict is None and answer.intent is None
    assert "report" in answer.reply.lower()


def test_triage_runs_first_whatever_the_question(assistant, monkeypatch):
    monkeypatch.setattr(triage, "classify", lambda text: triage.Triage("incident", False, ("test",)))
    answer = assistant.answer("can I accept a friend request from a parent?", "oakfield")
    assert answer.kind == "incident" and answer.clauses == ()


def test_an_answer_quotes_the_schools_own_clause_with_verdict_section_and_who_to_ask(assistant):
    answer = assistant.answer("can I accept a friend request on facebook from a pupil's mum", "ringway")
    assert answer.kind == "answer" and answer.intent == "friend_parents"
    assert answer.verdict == "no"
    policy_texts = {c.text for c in bundled_policies()["ringway"].clauses}
    assert answer.clauses and all(c.text in policy_texts for c in answer.clauses)
    assert answer.clauses[0].text in answer.reply
    assert "Section:" in answer.reply and "Ask: " in answer.reply and answer.reply.startswith("No")


def test_a_silent_policy_says_so_and_names_who_to_ask(assistant):
    catalog = load_catalog()
    silent = sorted(catalog.silent_intents("stocks-green"))
    assert silent, "stocks-green is silent on some intents in the catalog"
    intent = catalog.intents["pupil_phones"] if "pupil_phones" in silent else catalog.intents[silent[0]]
    answer = assistant.answer(intent.question, "stocks-green")
    assert answer.kind == "fallback" and answer.intent == intent.id
    assert "doesn't say" in answer.reply and answer.ask and answer.ask in answer.reply
    assert answer.clauses == ()


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   ",
        "🙈😀👍",
        "x" * 10_000,
        ("how are you " * 1000)[:10_000],
        "¿Puedo aceptar una solicitud de amistad de un alumno?",
        "我可以接受学生的好友请求吗",
        "what time does the canteen open",
    ],
)
def test_odd_input_gets_a_sensible_fallback(assistant, question):
    answer = assistant.answer(question, "model-policy")
    assert answer.kind == "fallback" and answer.reply and answer.clauses == ()


def test_a_long_pasted_question_is_still_answered(assistant):
    answer = assistant.answer(("can I post photos of pupils on my instagram? " * 300)[:10_000], "oakfield")
    assert answer.kind in ("answer", "clarify", "fallback") and answer.reply


def test_clarify_offers_both_readings_and_none_of_these(assistant):
    # "phones in class" could be about staff phones or pupils' phones
    answer = assistant.answer("phones", "oakfield")
    if answer.kind == "clarify":
        labels = [c.label for c in answer.choices]
        assert len(answer.choices) == 3 and answer.choices[-1].intent is None and "None of these" in labels
        assert "Did you mean" in answer.reply
    else:
        assert answer.kind in ("answer", "fallback")


def test_answer_intent_answers_a_did_you_mean_choice(assistant):
    answer = assistant.answer_intent("phones", "ringway", "friend_current_pupil")
    assert answer.kind == "answer" and answer.intent == "friend_current_pupil" and answer.clauses


def test_unknown_school_lists_the_known_ones(assistant):
    with pytest.raises(UnknownSchool) as err:
        assistant.answer("can I add a pupil", "atlantis")
    assert "oakfield" in str(err.value)


def test_an_ingested_school_without_curation_answers_its_own_questions():
    assistant = Assistant(load_catalog(), bundled_policies())
    assistant.add_policy(make_policy("hillside", "Hillside Primary School", HILLSIDE))
    answer = assistant.answer("is it ok to follow back a pupil in my class on insta", "hillside")
    # the clause says "must never": an honest "No", read from the policy's own wording
    assert answer.kind == "answer" and answer.verdict == "no"
    assert answer.summary.startswith("Your ") and answer.reply.startswith("No.")
    assert "follow requests from current pupils" in answer.clauses[0].text
    assert answer.school_name == "Hillside Primary School"
    silent = assistant.answer("can I share my school email password with a colleague", "hillside")
    assert silent.kind == "fallback"


UNCURATED_RULES = """Brookmere Academy
Staff online conduct

Contact with pupils
If a pupil contacts you through a personal account, do not reply; take a screenshot and tell the Designated Safeguarding Lead.
Former pupils may be accepted as contacts on social media only once they are 18 or over.
Staff should keep their personal profiles private and should not list Brookmere Academy as their employer.
"""


@pytest.fixture(scope="module")
def uncurated():
    assistant = Assistant(load_catalog(), bundled_policies())
    assistant.add_policy(make_policy("brookmere", "Brookmere Academy", UNCURATED_RULES))
    return assistant


def test_uncurated_what_to_do_question_quotes_the_procedure_without_a_yes_or_no(uncurated):
    answer = uncurated.answer("if a pupil messages me on snapchat, what should i do", "brookmere")
    assert answer.kind == "answer"
    assert "If a pupil contacts you through a personal account" in answer.clauses[0].text
    assert answer.verdict == "info"  # "do not reply" is a step to follow, not a verdict on the question


def test_a_pupil_who_did_contact_staff_privately_is_asked_about_before_any_answer(uncurated):
    """A pupil contacting staff on a personal account is an online-safety incident (issue 11):
    told as something that happened, the assistant asks whether to report it."""
    answer = uncurated.answer("a pupil messaged me on snapchat last night, what should i do", "brookmere")
    assert answer.kind in ("confirm", "incident")


def test_uncurated_condition_in_the_wording_gives_it_depends(uncurated):
    answer = uncurated.answer("a former student is 22 now, can i accept her on facebook", "brookmere")
    assert "only once they are 18 or over" in answer.clauses[0].text
    assert answer.verdict == "conditional"


def test_uncurated_prohibition_found_from_chat_words(uncurated):
    answer = uncurated.answer("can i say i work here on my linkedin", "brookmere")
    assert "should not list Brookmere Academy as their employer" in answer.clauses[0].text
    assert answer.verdict == "no"


def test_uncurated_silent_policy_still_falls_back(uncurated):
    answer = uncurated.answer("are parents allowed to film the nativity", "brookmere")
    assert answer.kind == "fallback"


def test_uncurated_rule_about_other_people_is_not_quoted_as_the_answer():
    # the policy only talks about pupils' friend requests; a question about parents must not get it
    assistant = Assistant(load_catalog(), bundled_policies())
    assistant.add_policy(
        make_policy(
            "elmfield",
            "Elmfield Primary",
            """Elmfield Primary
Staff rules online

Social media
No current pupils as friends or followers on personal accounts.
Keep your personal accounts private.
""",
        )
    )
    answer = assistant.answer("can i be facebook friends with a parent from my class", "elmfield")
    assert not (answer.clauses and "No current pupils as friends" in answer.clauses[0].text)
    pupils = assistant.answer("a pupil in my class wants to be friends on facebook", "elmfield")
    assert "No current pupils as friends" in pupils.clauses[0].text

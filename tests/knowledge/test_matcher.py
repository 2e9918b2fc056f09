"""The matcher finds the intent, then the asker's school's clauses; it knows when it is unsure."""

from dataclasses import dataclass

import numpy as np
import pytest

from knowledge.catalog import Mapping, load_catalog
from knowledge.matcher import Matcher
from knowledge.policy_file import bundled_policies, make_policy

UNCURATED_TEXT = """Hillside Primary School
Online Conduct Policy

Staff conduct online
Staff must never accept friend requests or follow requests from current pupils on any personal social networking account.
Staff must not post photographs of pupils on their personal social media.

Uniform
Pupils must wear the school jumper on Mondays and bring a named water bottle.
"""


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def matcher(catalog):
    return Matcher(catalog, bundled_policies())


def test_intents_are_ranked_best_first_with_scores(matcher):
    ranked = matcher.rank_intents("my old student is twenty now and sent me a friend request on facebook")
    assert ranked[0].intent == "friend_ex_pupil_over_18"
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)


def test_age_decides_between_the_two_ex_pupil_intents(matcher):
    assert (
        matcher.rank_intents("a former pupil who is 14 wants to follow me on tiktok")[0].intent
        == "friend_ex_pupil_under_18"
    )


def test_curated_school_answers_with_its_mapped_clauses(matcher, catalog):
    result = matcher.match("a mum from my class wants to be friends on facebook, can I accept", "stocks-green")
    assert result.kind == "answer"
    mapping = catalog.mapping("stocks-green", result.intent)
    assert mapping is not None and result.clauses[0].clause.id in mapping.clause_ids


def test_typos_still_match(matcher):
    assert matcher.rank_intents("can i acept a freind reqest from a parnet")[0].intent == "friend_parents"


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   ",
        "🙈😀👍",
        "what time does the canteen open",
        "where do I park on sports day?",
        "¿Puedo aceptar una solicitud de amistad de un alumno?",
        "我可以接受学生的好友请求吗",
    ],
)
def test_out_of_scope_empty_and_foreign_input_fall_back(matcher, question):
    assert matcher.match(question, "oakfield").kind == "fallback"


def test_ten_thousand_characters_do_not_break_it(matcher):
    text = ("can I post photos of pupils on my instagram " * 250)[:10_000]
    result = matcher.match(text, "oakfield")
    assert result.kind in ("answer", "clarify")
    assert matcher.match("x" * 10_000, "oakfield").kind == "fallback"


def test_unknown_school_is_an_error(matcher):
    with pytest.raises(KeyError):
        matcher.match("can i add a pupil on facebook", "nowhere")


@dataclass(frozen=True)
class _Intent:
    id: str
    title: str
    question: str
    examples: tuple
    ask_role: str = "dsl"


class _TwinCatalog:
    """Two intents worded almost alike: a question between them must be asked back."""

    intents = {
        "a": _Intent(
            "a", "Photos at sports day", "Photos at sports day?", ("photos at sports day", "sports day photo")
        ),
        "b": _Intent(
            "b", "Videos at sports day", "Videos at sports day?", ("videos at sports day", "sports day video")
        ),
        "c": _Intent("c", "Passwords", "Sharing passwords?", ("can i share my password",)),
    }

    def mapping(self, school, intent):
        return None

    def curated_schools(self):
        return ()

    def questions_for_clauses(self, school):
        return ()


SPORTS_DAY_TEXT = """Sports day
Parents may take photos and videos of their own children at sports day for family use only.
Passwords
Staff must never share their school password with anyone.
"""


class _CuratedTwins(_TwinCatalog):
    """The twins, curated at one school: both cite its sports-day rule."""

    def mapping(self, school, intent):
        if school != "meadow" or intent not in ("a", "b"):
            return None
        policy = make_policy("meadow", "Meadow School", SPORTS_DAY_TEXT)
        rule = next(c.id for c in policy.clauses if "sports day" in c.text)
        return Mapping("depends", "Family use only.", (rule,))

    def curated_schools(self):
        return ("meadow",)


def test_close_top_two_asks_did_you_mean():
    matcher = Matcher(_CuratedTwins(), {})
    matcher.add_policy(make_policy("meadow", "Meadow School", SPORTS_DAY_TEXT))
    result = matcher.match("sports day photo video", "meadow")
    assert result.kind == "clarify"
    assert {c.intent for c in result.intents[:2]} == {"a", "b"}


class _MeaningFavours:
    """A retriever (the `Retriever` protocol) that reads one rule of each school as the question's
    meaning, as a sentence encoder might read a question the words match poorly."""

    def __init__(self, words: str):
        self.words, self.clauses = words, {}

    def add_policy(self, policy, clause_questions=()):
        self.clauses[policy.slug] = policy.clauses

    def scores(self, question, school):
        return np.array([0.9 if self.words in c.text else 0.1 for c in self.clauses[school]], dtype=np.float32)

    def asked_scores(self, question, school):
        return np.zeros(len(self.clauses[school]), dtype=np.float32)


def test_close_intents_whose_clause_is_not_the_best_answer_give_the_best_clause_instead():
    """Two sports-day intents tie, but the school's password rule is what the question means: that
    rule answers it, rather than asking which sports-day topic was meant."""
    matcher = Matcher(_CuratedTwins(), {}, retriever=_MeaningFavours("password"))
    matcher.add_policy(make_policy("meadow", "Meadow School", SPORTS_DAY_TEXT))
    assert matcher._match_intent("sports day photo video", "meadow").kind == "clarify"
    result = matcher.match("sports day photo video", "meadow")
    assert result.kind == "answer"
    assert "password" in result.clauses[0].clause.text


def test_close_intents_with_nothing_better_in_the_policy_still_ask_did_you_mean():
    matcher = Matcher(_TwinCatalog(), {})
    matcher.add_policy(make_policy("hillside", "Hillside Primary School", UNCURATED_TEXT))
    result = matcher.match("sports day photo video", "hillside")
    assert result.kind == "clarify"
    assert {c.intent for c in result.intents[:2]} == {"a", "b"}


def test_uncurated_school_is_answered_by_direct_retrieval(matcher):
    matcher.add_policy(make_policy("hillside", "Hillside Primary School", UNCURATED_TEXT))
    result = matcher.match("can i accept a follow request from a kid in my class", "hillside")
    assert result.kind == "answer" and not result.curated
    assert "friend requests or follow requests from current pupils" in result.clauses[0].clause.text
    photos = matcher.match("can I put pictures of the children on my own facebook", "hillside")
    assert "photographs of pupils" in photos.clauses[0].clause.text


def test_uncurated_school_silent_on_a_topic_has_no_clauses(matcher):
    matcher.add_policy(make_policy("hillside", "Hillside Primary School", UNCURATED_TEXT))
    result = matcher.match("should i share my school login password with a supply teacher", "hillside")
    assert result.clauses == () or all("password" not in c.clause.text.lower() for c in result.clauses)
    assert result.silent or result.kind != "answer" or not result.clauses


def test_adding_a_school_leaves_the_others_alone(matcher):
    before = matcher.match("can i accept a friend request from a parent", "ringway")
    matcher.add_policy(make_policy("lakeside", "Lakeside School", UNCURATED_TEXT))
    after = matcher.match("can i accept a friend request from a parent", "ringway")
    assert before == after

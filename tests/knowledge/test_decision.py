"""Each branch of the confidence policy (knowledge.decision), on hand-made candidates: the matcher's
answer, "Did you mean", "the closest the policy comes" and fallback, at the shipped thresholds
(answer floor 30, clarify within 0.2 * sqrt(top), ceiling 80, tie 1; relevance bars 0.45 and 0.6)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from knowledge.decision import Decision
from knowledge.matcher import IntentCandidate
from knowledge.matcher_config import DEFAULT_CONFIG, MatcherConfig

decide = Decision()


def ranked(*scores: float) -> list[IntentCandidate]:
    return [IntentCandidate(f"intent_{n}", score) for n, score in enumerate(scores)]


# --- on the ranked intents -----------------------------------------------------------------------


def test_nothing_recognised_falls_back():
    assert decide.on_intents([]) == "fallback"


def test_a_top_score_below_the_floor_falls_back_however_far_ahead():
    assert decide.on_intents(ranked(29.99, 1.0)) == "fallback"


def test_the_floor_itself_is_answered():
    assert decide.on_intents(ranked(30.0)) == "answer"


def test_a_lone_candidate_above_the_floor_is_answered():
    assert decide.on_intents(ranked(45.0)) == "answer"


def test_a_clear_winner_is_answered():
    # 0.2 * sqrt(64) = 1.6: a gap of 1.6 or more is clear
    assert decide.on_intents(ranked(64.0, 62.0)) == "answer"


def test_a_runner_up_within_k_sqrt_top_asks_did_you_mean():
    assert decide.on_intents(ranked(64.0, 63.0)) == "clarify"


def test_only_the_runner_up_counts_not_the_third():
    assert decide.on_intents(ranked(64.0, 50.0, 63.9)) == "answer"


def test_above_the_ceiling_a_close_runner_up_is_still_answered():
    # 0.2 * sqrt(100) = 2: a gap of 1.5 is close, but a top of 100 is sure unless it is a tie
    assert decide.on_intents(ranked(100.0, 98.5)) == "answer"


def test_above_the_ceiling_a_tie_asks_did_you_mean():
    assert decide.on_intents(ranked(100.0, 99.5)) == "clarify"


def test_the_ceiling_itself_is_above_it():
    # 0.2 * sqrt(80) = 1.79: a gap of 1.5 is close, and at exactly 80 only a tie asks
    assert decide.on_intents(ranked(80.0, 78.5)) == "answer"
    assert decide.on_intents(ranked(79.9, 78.5)) == "clarify"


# --- on the best clause, when it answers by itself ------------------------------------------------


@pytest.mark.parametrize("on_topic", [True, False])
def test_below_the_first_bar_falls_back(on_topic):
    assert decide.on_best_clause(DEFAULT_CONFIG.relevant_at - 0.001, on_topic) == "fallback"


def test_between_the_bars_an_on_topic_question_gets_the_closest_the_policy_comes():
    assert decide.on_best_clause(DEFAULT_CONFIG.relevant_at, on_topic=True) == "closest"
    assert decide.on_best_clause(DEFAULT_CONFIG.sure_at - 0.001, on_topic=True) == "closest"


def test_between_the_bars_a_question_off_the_assistants_topics_falls_back():
    middle = (DEFAULT_CONFIG.relevant_at + DEFAULT_CONFIG.sure_at) / 2
    assert decide.on_best_clause(middle, on_topic=False) == "fallback"


@pytest.mark.parametrize("on_topic", [True, False])
def test_at_or_above_the_second_bar_the_clause_answers(on_topic):
    assert decide.on_best_clause(DEFAULT_CONFIG.sure_at, on_topic) == "answer"
    assert decide.on_best_clause(0.9, on_topic) == "answer"


# --- the config ---------------------------------------------------------------------------------


def test_the_default_decision_reads_the_shipped_config():
    assert decide.config is DEFAULT_CONFIG == MatcherConfig()


def test_another_config_moves_the_bars():
    strict = Decision(MatcherConfig(answer_floor=50.0, clarify_k=0.0, relevant_at=0.7, sure_at=0.8))
    assert strict.on_intents(ranked(45.0)) == "fallback"
    assert strict.on_intents(ranked(64.0, 63.9)) == "answer"
    assert strict.on_best_clause(0.65, on_topic=True) == "fallback"
    assert strict.on_best_clause(0.75, on_topic=True) == "closest"


def test_any_candidate_with_a_score_will_do():
    @dataclass(frozen=True)
    class Scored:
        score: float

    assert decide.on_intents([Scored(64.0), Scored(63.0)]) == "clarify"


def test_the_config_is_frozen():
    with pytest.raises(AttributeError):
        DEFAULT_CONFIG.answer_floor = 10.0  # type: ignore[misc]

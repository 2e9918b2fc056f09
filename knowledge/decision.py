"""Whether the matcher answers, asks "Did you mean", says it is only the closest the policy
comes, or falls back: the confidence policy, on its own so it can be read and tested alone.

It follows QnA Maker's active learning. The matcher (`knowledge.matcher`) asks it at two moments
of `Matcher.match`, with the candidates it has ranked:

- `Decision.on_intents(ranked)`: the catalog's intents for the question, best first (scores
  0-100). Below a floor nothing is recognised: `fallback` (the matcher may still quote a clause
  the question's own words match, `MatcherConfig.direct_floor`). When the runner-up is within
  k*sqrt(top score), `clarify` ("Did you mean"), unless the top is high enough that only a tie
  is ambiguous. Otherwise `answer`.
- `Decision.on_best_clause(relevance, on_topic)`: when no intent's clause won the fusion and the
  school's best clause would answer by itself. A bi-encoder cannot tell "the policy addresses
  this" from "the policy is about something near this", so there are two bars: below the first,
  `fallback`; between them `closest` ("the closest the policy comes is"), except for a question
  with no word of the assistant's topics, which falls back; above both, `answer`.

The numbers are `MatcherConfig`'s (`knowledge.matcher_config`), where each says what it tunes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from knowledge.matcher_config import DEFAULT_CONFIG, MatcherConfig

ByIntents = Literal["answer", "clarify", "fallback"]
ByClause = Literal["answer", "closest", "fallback"]


class Scored(Protocol):
    """A ranked candidate (the matcher's `IntentCandidate`): its score is all the decision reads."""

    @property
    def score(self) -> float: ...


@dataclass(frozen=True)
class Decision:
    config: MatcherConfig = DEFAULT_CONFIG

    def on_intents(self, ranked: Sequence[Scored]) -> ByIntents:
        """`fallback` below the floor, `clarify` when the runner-up is too close, else `answer`."""
        config = self.config
        if not ranked or ranked[0].score < config.answer_floor:
            return "fallback"
        if len(ranked) > 1:
            top = ranked[0].score
            gap = top - ranked[1].score
            if gap < config.clarify_k * math.sqrt(top) and (top < config.clarify_ceiling or gap < config.clarify_tie):
                return "clarify"
        return "answer"

    def on_best_clause(self, relevance: float, on_topic: bool) -> ByClause:
        """`fallback` when the best clause is not relevant enough (or only loosely, to a question off
        the assistant's topics), `closest` when it is only loosely relevant, else `answer`."""
        config = self.config
        if relevance < config.relevant_at or (relevance < config.sure_at and not on_topic):
            return "fallback"
        return "closest" if relevance < config.sure_at else "answer"

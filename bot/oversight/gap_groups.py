"""Knowledge gaps grouped by meaning, so the policy owner sees a topic, not twelve lines.

Why: staff ask the same missing thing in their own words ("staff WhatsApp group?", "can we
have a group chat for the year 6 team"); `bot.conversation.gaps` can only merge questions that normalise
to the same words. Here each gap's (already redacted) example is encoded with the packaged
sentence-embedding model (`knowledge.embedding`) and joined to the first group whose centre
is at least SIMILAR to it, most-asked gaps first, so each group is named after its most-asked
question. Without the model installed every gap stays a group of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SIMILAR = 0.55  # cosine between a question and a group's centre (MiniLM: paraphrases ~0.7-0.9, other topics < 0.4)


@dataclass(frozen=True)
class Gap:
    example: str  # redacted by bot.conversation.gaps before it was stored
    count: int


@dataclass(frozen=True)
class GapGroup:
    label: str  # the group's most-asked question
    questions: int  # how many times its questions were asked
    examples: tuple[str, ...]  # every question in it, most asked first

    def describe(self) -> str:
        times = "question" if self.questions == 1 else "questions"
        return f"{self.questions} {times} like \u201c{self.label}\u201d"


def _encoder():
    from knowledge.embedding import ModelMissing, load_encoder

    try:
        return load_encoder()
    except ModelMissing:
        return None


def group_gaps(gaps: Sequence[Gap], encoder=None, similar: float = SIMILAR) -> list[GapGroup]:
    """Groups of similar questions, the most asked group first."""
    ordered = sorted(gaps, key=lambda g: (-g.count, g.example))
    if not ordered:
        return []
    encoder = encoder or _encoder()
    if encoder is None:
        return [GapGroup(g.example, g.count, (g.example,)) for g in ordered]
    vectors = encoder.encode([g.example for g in ordered])
    members: list[list[int]] = []
    centres: list[np.ndarray] = []
    for index, vector in enumerate(vectors):
        scores = [float(vector @ centre) for centre in centres]
        best = int(np.argmax(scores)) if scores else -1
        if best >= 0 and scores[best] >= similar:
            members[best].append(index)
            centre = vectors[members[best]].mean(axis=0)
            centres[best] = centre / max(float(np.linalg.norm(centre)), 1e-12)
        else:
            members.append([index])
            centres.append(vector)
    groups = [
        GapGroup(ordered[rows[0]].example, sum(ordered[r].count for r in rows), tuple(ordered[r].example for r in rows))
        for rows in members
    ]
    return sorted(groups, key=lambda g: -g.questions)

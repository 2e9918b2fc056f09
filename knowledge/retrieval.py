"""Clause retrieval by meaning: every clause of a school's policy, scored against a question.

The matcher (`knowledge.matcher`) knows the catalog's intents and the words policies use; it
cannot know that "can I add a former student on insta" and "Staff must not accept ex-pupils
as friends" mean the same thing unless someone wrote that example down. A retriever scores
every clause of the asker's school by meaning, so a question nobody anticipated is still
answered from the clause that answers it. The matcher fuses this with its lexical scores and
the intent prior (see `Matcher.match`).

`Retriever` is the seam: the next model drops in without touching the matcher or the
assistant. `SemanticRetriever` is the sentence-embedding one (`knowledge.embedding`).
"""
from __future__ import annotations

from typing import Protocol

import numpy as np

from knowledge.clauses import Clause

MAX_QUESTION_CHARS = 1000  # the model reads ~256 word pieces; a long narrative's start is its context


class Retriever(Protocol):
    def add_policy(self, policy) -> None:
        """Make a (new or re-ingested) school's clauses searchable."""

    def scores(self, question: str, school: str) -> np.ndarray:
        """Relevance of each of the school's clauses (policy order), cosine-like in [-1, 1]."""


def passage(clause: Clause) -> str:
    """What is embedded for a clause: its own section heading gives a short rule its topic
    ("Review" + "This policy will be reviewed annually")."""
    heading = clause.section.split(" › ")[-1] if clause.section else ""
    body = f"{clause.lead_in} {clause.text}" if clause.lead_in else clause.text
    return f"{heading}: {body}" if heading and heading.lower() not in body[:len(heading) + 5].lower() else body


class SemanticRetriever:
    """Cosine similarity between the question's and each clause's sentence embedding."""

    def __init__(self, policies=(), encoder=None):
        if encoder is None:
            from knowledge.embedding import load_encoder
            encoder = load_encoder()
        self.encoder = encoder
        self._matrices: dict[str, np.ndarray] = {}
        policies = list(policies.values()) if isinstance(policies, dict) else list(policies)
        if policies:  # one call for every school: one pass over the store, batches on both cores
            texts = [passage(c) for p in policies for c in p.clauses]
            vectors = encoder.encode_many(texts)
            start = 0
            for policy in policies:
                self._matrices[policy.slug] = vectors[start:start + len(policy.clauses)]
                start += len(policy.clauses)

    def add_policy(self, policy) -> None:
        self._matrices[policy.slug] = self.encoder.encode_many([passage(c) for c in policy.clauses])

    def scores(self, question: str, school: str) -> np.ndarray:
        matrix = self._matrices[school]
        if not question.strip() or not len(matrix):
            return np.zeros(len(matrix), dtype=np.float32)
        return matrix @ self.encoder.encode_one(question[:MAX_QUESTION_CHARS])

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

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from knowledge.clauses import Clause
from knowledge.embedding import MAX_TEXT_CHARS


class Retriever(Protocol):
    def add_policy(self, policy, clause_questions: Sequence[tuple[str, str]] = ()) -> None:
        """Make a (new or re-ingested) school's clauses searchable, with any questions
        written for them ((clause id, question) pairs, see `Catalog.questions_for_clauses`)."""

    def scores(self, question: str, school: str) -> np.ndarray:
        """Relevance of each of the school's clauses (policy order), cosine-like in [-1, 1]."""

    def asked_scores(self, question: str, school: str) -> np.ndarray:
        """Per clause, how close the question is to the closest question written for that
        clause (0 where none were)."""


def passage(clause: Clause) -> str:
    """What is embedded for a clause: its own section heading gives a short rule its topic
    ("Review" + "This policy will be reviewed annually")."""
    heading = clause.section.split(" › ")[-1] if clause.section else ""
    body = f"{clause.lead_in} {clause.text}" if clause.lead_in else clause.text
    return f"{heading}: {body}" if heading and heading.lower() not in body[: len(heading) + 5].lower() else body


class SemanticRetriever:
    """Cosine similarity between the question's and each clause's sentence embedding, and
    between the question and the questions written for each clause."""

    def __init__(
        self, policies=(), encoder=None, clause_questions: Mapping[str, Sequence[tuple[str, str]]] | None = None
    ):
        if encoder is None:
            from knowledge.embedding import load_encoder

            encoder = load_encoder()
        self.encoder = encoder
        self._matrices: dict[str, np.ndarray] = {}
        self._asked: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # school -> (question vectors, their clause rows)
        policies = list(policies.values()) if isinstance(policies, dict) else list(policies)
        clause_questions = clause_questions or {}
        if policies:  # one call for every school: one pass over the store, batches on both cores
            texts = [passage(c) for p in policies for c in p.clauses]
            asked = [list(clause_questions.get(p.slug, ())) for p in policies]
            vectors = encoder.encode_many(texts + [q for pairs in asked for _, q in pairs])
            start = 0
            for policy in policies:
                self._matrices[policy.slug] = vectors[start : start + len(policy.clauses)]
                start += len(policy.clauses)
            for policy, pairs in zip(policies, asked):
                self._index_questions(policy, pairs, vectors[start : start + len(pairs)])
                start += len(pairs)

    def add_policy(self, policy, clause_questions: Sequence[tuple[str, str]] = ()) -> None:
        self._matrices[policy.slug] = self.encoder.encode_many([passage(c) for c in policy.clauses])
        pairs = list(clause_questions)
        self._index_questions(policy, pairs, self.encoder.encode_many([q for _, q in pairs]) if pairs else None)

    def _index_questions(self, policy, pairs: list[tuple[str, str]], vectors) -> None:
        rows_of: dict[str, list[int]] = {}
        for i, c in enumerate(policy.clauses):  # a split paragraph's old id stands for all its parts
            rows_of.setdefault(c.id, []).append(i)
            if c.block:
                rows_of.setdefault(c.block, []).append(i)
        keep = [(k, row) for k, (cid, _) in enumerate(pairs) for row in rows_of.get(cid, ())]
        if not keep or vectors is None:  # none written, or none for a clause this version still has
            self._asked.pop(policy.slug, None)
            return
        self._asked[policy.slug] = (
            np.asarray(vectors)[[k for k, _ in keep]],
            np.asarray([row for _, row in keep], dtype=int),
        )

    def scores(self, question: str, school: str) -> np.ndarray:
        matrix = self._matrices[school]
        if not question.strip() or not len(matrix):
            return np.zeros(len(matrix), dtype=np.float32)
        return matrix @ self.encoder.encode_one(question[:MAX_TEXT_CHARS])

    def asked_scores(self, question: str, school: str) -> np.ndarray:
        out = np.zeros(len(self._matrices[school]), dtype=np.float32)
        if school not in self._asked or not question.strip():
            return out
        vectors, rows = self._asked[school]
        sims = vectors @ self.encoder.encode_one(question[:MAX_TEXT_CHARS])
        np.maximum.at(out, rows, sims.astype(np.float32))
        return out

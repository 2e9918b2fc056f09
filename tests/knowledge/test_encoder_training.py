"""The encoder's training data (`make train-encoder` itself needs torch and is not run here)."""

from __future__ import annotations

from knowledge.encoder_training import training_pairs
from knowledge.policy_file import bundled_policies


def test_every_bundled_school_gives_pairs_and_a_held_out_school_gives_none():
    schools = set(bundled_policies())
    assert {school for *_, school in training_pairs()} >= schools
    without = training_pairs(hold_out="ringway")
    assert "ringway" not in {school for *_, school in without}
    assert len(without) < len(training_pairs())

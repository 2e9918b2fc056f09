"""The encoder's training data (`make train-encoder` itself needs torch and is not run here)."""

from __future__ import annotations

import pytest

from knowledge.encoder_training import training_pairs
from knowledge.policy_file import bundled_policies


def test_every_bundled_school_gives_pairs_and_a_held_out_school_gives_none():
    schools = set(bundled_policies())
    assert {school for *_, school in training_pairs()} >= schools
    without = training_pairs(hold_out="ringway")
    assert "ringway" not in {school for *_, school in without}
    assert len(without) < len(training_pairs())


def test_holding_out_a_school_that_is_not_bundled_is_a_clear_error(capsys):
    from knowledge.encoder_training import main

    with pytest.raises(SystemExit):
        main(["--hold-out", "nowhere"])
    assert "no bundled school 'nowhere'" in capsys.readouterr().err


def test_holding_out_with_no_question_for_that_school_is_a_clear_error(capsys, tmp_path):
    from knowledge.encoder_training import main

    empty = tmp_path / "q.yaml"
    empty.write_text("items: []\n")
    with pytest.raises(SystemExit):
        main(["--hold-out", "ringway", "--questions", str(empty)])
    assert "none of these files has an answerable question for ringway" in capsys.readouterr().err

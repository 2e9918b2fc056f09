"""Counts governors read: 1 to 4 hidden; a lone hidden part of a printed total takes another with it."""

from __future__ import annotations

import pytest

from bot.oversight.suppression import shown, shown_parts


def test_small_counts_are_fewer_than_five_and_others_are_exact():
    assert [shown(n) for n in (0, 1, 4, 5, 17)] == ["0", "fewer than 5", "fewer than 5", "5", "17"]
    with pytest.raises(ValueError):
        shown(-1)


def test_a_lone_hidden_count_cannot_be_worked_out_from_the_total():
    # 14 + 6 + 3 = 23 is printed: with only the 3 hidden, 23 - 14 - 6 would give it away
    assert shown_parts({"a": 14, "b": 6, "c": 3}) == {"a": "14", "b": "withheld", "c": "fewer than 5"}
    assert shown_parts({"a": 2, "b": 3, "c": 9}) == {"a": "fewer than 5", "b": "fewer than 5", "c": "9"}
    assert shown_parts({"a": 0, "b": 12}) == {"a": "0", "b": "12"}

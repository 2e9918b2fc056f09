"""adapters.json_body: what every endpoint makes of a body before the bot sees it."""

from __future__ import annotations

import pytest

from adapters.json_body import MAX_DEPTH, BadJson, loads


def test_values_survive_and_unstorable_text_is_replaced_in_keys_and_values():
    raw = '{"a": [1, true, null, "x\\ud800", {"b": 2.5}], "c\\u0000": false, "d": "\\ud83d\\ude00"}'
    assert loads(raw) == {"a": [1, True, None, "x\ufffd", {"b": 2.5}], "c\ufffd": False, "d": "\U0001f600"}


@pytest.mark.parametrize("depth, ok", [(MAX_DEPTH, True), (MAX_DEPTH + 1, False), (100_000, False)])
def test_nesting_beyond_the_limit_is_refused_however_deep(depth, ok):
    raw = "[" * depth + "]" * depth
    if ok:
        assert loads(raw) is not None
    else:
        with pytest.raises(BadJson, match="nested"):
            loads(raw)

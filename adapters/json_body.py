"""Untrusted JSON from the outside world, parsed so that nothing later can trip over it.

Why: every endpoint (Teams' /api/messages, Slack's events and button presses) used to hand
`json.loads` output straight to the bot. Two things in such a body broke the server far
from the edge:

- nesting. `[[[[...]]]]` a few thousand deep raises RecursionError inside `json.loads`
  (a 500 before any authentication), and a few hundred deep survives parsing only to blow
  up later in botbuilder's deserialiser or our state encoder. Real payloads are shallow:
  a Teams activity with an Adaptive Card value is under ten levels, Slack's block_actions
  under eight. MAX_DEPTH leaves room and refuses the rest with a 400.
- text no database can store. JSON may carry a lone surrogate (`"\\ud800"`), which Python
  keeps in a str but UTF-8 cannot encode, and NUL, which PostgreSQL text cannot hold. One
  such display name made every later batch of conversation references fail. Both are
  replaced here with U+FFFD, the standard "unrepresentable character" mark, so what the
  bot reads, logs and stores is always storable.
"""

from __future__ import annotations

import json
import re

MAX_DEPTH = 32
UNSTORABLE = re.compile("[\ud800-\udfff\x00]")
REPLACEMENT = "\ufffd"


class BadJson(ValueError):
    """A body that is not JSON we accept; the message is safe to send back (it never quotes the body)."""


def storable(text: str) -> str:
    """`text` with lone surrogates and NUL replaced, so any database and encoder accepts it."""
    return UNSTORABLE.sub(REPLACEMENT, text) if UNSTORABLE.search(text) else text


def loads(raw: bytes | str, max_depth: int = MAX_DEPTH):
    """Parse `raw`, refuse nesting deeper than `max_depth`, and make every string storable."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise BadJson(f"body is nested more than {max_depth} levels deep") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadJson("body is not valid JSON") from None
    return clean(data, max_depth)


def clean(data, max_depth: int = MAX_DEPTH):
    """A copy of parsed JSON with storable strings (keys too), or BadJson if it is nested too deep.

    Iterative, so the check itself can never exceed Python's recursion limit."""
    root: list = [data]
    stack = [(root, 0, data, 1)]  # (container to write into, slot, value, depth)
    while stack:
        parent, slot, value, depth = stack.pop()
        if isinstance(value, str):
            parent[slot] = storable(value)
        elif isinstance(value, (dict, list)):
            if depth > max_depth:
                raise BadJson(f"body is nested more than {max_depth} levels deep")
            if isinstance(value, dict):
                copy: dict | list = {}
                for key, item in value.items():
                    key = storable(key)
                    copy[key] = None
                    stack.append((copy, key, item, depth + 1))
            else:
                copy = [None] * len(value)
                stack.extend((copy, index, item, depth + 1) for index, item in enumerate(value))
            parent[slot] = copy
        else:  # numbers, booleans, null
            parent[slot] = value
    return root[0]

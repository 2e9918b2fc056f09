"""Small counts hidden on anything governors read, so no child can be picked out.

Why: a governing body sees the termly summary, and "1 disclosure in Year 4 in March" can
name a child to anyone who knows the school. Counts from 1 to 4 are shown as "fewer than 5"
(the threshold used for published school statistics); 0 identifies nobody and is shown.

A table whose total is printed elsewhere on the page could give a lone hidden count away by
subtraction, so `shown_parts` also withholds the next-smallest count of such a table
(complementary suppression). Charts draw a hidden count as a hatched bar of no exact height.
"""

from __future__ import annotations

from collections.abc import Mapping

THRESHOLD = 5
FEWER_THAN = f"fewer than {THRESHOLD}"
WITHHELD = "withheld"  # a count of 5 or more hidden so that a smaller one cannot be worked out


def is_suppressed(count: int) -> bool:
    return 0 < count < THRESHOLD


def shown(count: int) -> str:
    """One count as a governor may read it."""
    if count < 0:
        raise ValueError(f"a count cannot be negative: {count}")
    return FEWER_THAN if is_suppressed(count) else str(count)


def shown_parts(parts: Mapping[str, int]) -> dict[str, str]:
    """The parts of a total the page also prints, each as a governor may read it.

    With exactly one part hidden, the total minus the others would reveal it: the smallest
    other non-zero part is withheld as well."""
    out = {name: shown(count) for name, count in parts.items()}
    hidden = [name for name, count in parts.items() if is_suppressed(count)]
    if len(hidden) == 1:
        others = sorted((count, name) for name, count in parts.items() if count >= THRESHOLD)
        if others:
            out[others[0][1]] = WITHHELD
    return out


def is_hidden(text: str) -> bool:
    return text in (FEWER_THAN, WITHHELD)

"""Logging a failure without its message.

Exception messages can quote what was typed (a validation error repeating the input, a
database error quoting a statement's values), and in this product what was typed may be a
child's disclosure. Failures are logged as their type and where they happened: enough to
find the bug, nothing to leak.
"""

from __future__ import annotations

import traceback


def describe_failure(error: BaseException) -> str:
    """'KeyError' plus the traceback's frames (file, line, function, source line); no message."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{type(error).__name__}\n{frames}" if frames else type(error).__name__

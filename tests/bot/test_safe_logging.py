"""Failures are logged by type and place, never with a message that may quote a disclosure."""

from bot.safe_logging import describe_failure


def test_failure_description_has_the_place_but_not_the_message():
    typed = "he hit me with a belt"
    try:
        int(typed)
    except ValueError as error:
        text = describe_failure(error)
    assert text.startswith("ValueError")
    assert "test_safe_logging.py" in text and "int(typed)" in text
    assert "belt" not in text

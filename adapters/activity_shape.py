"""Is this body an activity the bot can answer? Checked before authentication and before any turn.

Why: botbuilder deserialises whatever it is given. An activity without `serviceUrl`,
`conversation` or `channelId` was accepted with 201 and the turn then failed out of sight
(one took 11 s retrying a reply to nowhere); a `from` that is a string or a `conversation`
that is a list ended in a 500. The Bot Framework always sends these fields, so their
absence means a broken or hostile client, and the right answer is a 400 that names the
field, so whoever wrote the client can fix it.
"""

from __future__ import annotations

REQUIRED_TEXT = ("type", "channelId", "serviceUrl")  # non-empty strings, on every activity
ACCOUNTS = ("from", "recipient")  # objects when present
OPTIONAL_TEXT = ("id", "text", "locale", "replyToId", "name", "textFormat")
OPTIONAL_LISTS = ("attachments", "entities", "membersAdded", "membersRemoved")


def problem(body: object) -> str | None:
    """What is wrong with `body` as a Bot Framework activity, in one line; None when it will do."""
    if not isinstance(body, dict):
        return "body is not a Bot Framework activity"
    for name in REQUIRED_TEXT:
        if not isinstance(body.get(name), str) or not body[name].strip():
            return f"activity has no {name}"
    if not body["serviceUrl"].startswith(("http://", "https://")):
        return "activity serviceUrl is not an http(s) URL"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str) or not conversation["id"]:
        return "activity has no conversation"
    for name in ACCOUNTS:
        account = body.get(name)
        if account is not None and not (
            isinstance(account, dict) and isinstance(account.get("id", ""), (str, type(None)))
        ):
            return f"activity {name} is not an account"
    for name in OPTIONAL_TEXT:
        if body.get(name) is not None and not isinstance(body[name], str):
            return f"activity {name} is not text"
    for name in OPTIONAL_LISTS:
        items = body.get(name)
        if items is not None and not (isinstance(items, list) and all(isinstance(i, dict) for i in items)):
            return f"activity {name} is not a list of objects"
    return None

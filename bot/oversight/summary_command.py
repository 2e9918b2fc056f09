"""`python app.py summary --school SLUG --from DATE --to DATE --as USER_ID [--out DIR]`.

Why `--as`: the governors' summary is for the people who run safeguarding, and the command
line has no channel to vouch for who is typing. The operator names the role holder they act
for (their Teams or Slack id, or email, as set with `school set-role`); anyone else is refused.
This is accountability, not a lock: whoever runs the command holds the database already, as
with `export`. Like an export, every run is audited BEFORE anything is written (action
'summary', or 'denied' with the reason), and the page itself holds counts only.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.alerts.roles import ROLE_ORDER, UnknownSchool, require_school, roles_of
from bot.oversight.figures import gather
from bot.oversight.review_dates import parse_day
from bot.oversight.summary_page import render_summary
from bot.records import audit

CLI_CHANNEL = "cli"
REFUSAL = (
    "refused: {who} holds no safeguarding role at {school}. The governors' summary is produced by its "
    "DSL, a deputy, the headteacher or the chair of governors (see `python app.py school show`). "
    "This attempt has been recorded."
)


def summary_path(out: Path, slug: str, first: str, last: str) -> Path:
    return out / f"safeguarding-summary-{slug}-{first}-to-{last}.html"


async def write_summary(
    sessions,
    cipher,
    *,
    school: str,
    first: str,
    last: str,
    as_user: str,
    out: str | Path,
    now: datetime | None = None,
    encoder=None,
) -> tuple[int, str]:
    """(exit code, message): 0 and the file written, 1 refused, 2 bad input."""
    try:
        first_day, last_day = parse_day(first), parse_day(last)
    except ValueError as exc:
        return 2, f"error: {exc}"
    if last_day < first_day:
        return 2, f"error: --to ({last_day}) is before --from ({first_day})"
    if not as_user.strip():
        return 2, "error: --as needs the user id of a safeguarding role holder at the school"
    now = now or datetime.now(UTC)
    async with sessions() as session, session.begin():
        try:
            await require_school(session, school)
        except UnknownSchool as exc:
            return 2, f"error: {exc}"
        roles = await roles_of(session, school, "console", (as_user.strip(),))  # any channel: see the docstring
        period = f"{first_day} to {last_day}"
        audit.record(
            session,
            actor_channel=CLI_CHANNEL,
            actor_id=as_user.strip(),
            school_slug=school,
            action="summary" if roles else "denied",
            detail=(
                f"governors' summary {period}, counts only"
                if roles
                else f"summary {period}: holds no safeguarding role at this school"
            ),
            at=now,
        )
    if not roles:
        return 1, REFUSAL.format(who=as_user.strip(), school=school)
    figures = await gather(
        sessions,
        school,
        first_day,
        last_day,
        roles=roles,
        now=now,
        cipher=cipher,
        encoder=encoder,
        gaps_since=first_day,
        top_gaps=10,
    )
    role = next(r for r in ROLE_ORDER if r in roles)
    page = render_summary(figures, produced_by_role=role, produced_at=now)
    folder = Path(out)
    path = summary_path(folder, school, str(first_day), str(last_day))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    except OSError as exc:
        return 2, f"error: cannot write {path} ({type(exc).__name__}); choose another --out folder"
    return 0, (
        f"wrote {path} (audited as 'summary' by {as_user.strip()}). Counts only, small counts shown as "
        '"fewer than 5"; print it from a browser to make a PDF.'
    )


async def run_summary(settings, school: str, first: str, last: str, as_user: str, out: str) -> int:
    from bot.persistence.crypto import ContentCipher
    from bot.persistence.db import open_database

    async with open_database(settings.database_url) as sessions:
        code, message = await write_summary(
            sessions,
            ContentCipher.from_settings(settings),
            school=school,
            first=first,
            last=last,
            as_user=as_user,
            out=out,
        )
    print(message, file=sys.stderr if code else sys.stdout)
    return code

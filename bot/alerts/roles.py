"""Who holds each safeguarding role at a school, and the `python app.py school ...` commands.

A role holder is one identity on one channel (a Teams AAD object id, a Slack user id or an
email address); a person reachable two ways is listed twice, and alerts go to both. The
escalation chains that decide who hears about what live in `bot.alerts.planning`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.persistence.models import ConversationRef, RoleAssignment, School

ROLE_ORDER = ("dsl", "deputy", "head", "chair")
ROLE_TITLES = {
    "dsl": "Designated Safeguarding Lead",
    "deputy": "Deputy DSL",
    "head": "Headteacher",
    "chair": "Chair of Governors",
}


class UnknownSchool(ValueError):
    """A slug that names no bundled or ingested school."""


async def known_schools(session: AsyncSession) -> dict[str, str]:
    """slug -> school name: the bundled policies plus every ingested school."""
    from knowledge.policy_file import bundled_policies

    names = {slug: policy.name for slug, policy in bundled_policies().items()}
    for slug, name in (await session.execute(select(School.slug, School.name))).all():
        names[slug] = name
    return names


async def require_school(session: AsyncSession, slug: str) -> str:
    """The school's name, or `UnknownSchool` with the list of slugs that do exist."""
    names = await known_schools(session)
    if slug not in names:
        raise UnknownSchool(f"unknown school {slug!r}; known schools: {', '.join(sorted(names)) or 'none'}")
    return names[slug]


async def holders(session: AsyncSession, school_slug: str, role: str) -> list[RoleAssignment]:
    rows = await session.execute(
        select(RoleAssignment)
        .where(RoleAssignment.school_slug == school_slug, RoleAssignment.role == role)
        .order_by(RoleAssignment.id)
    )
    return list(rows.scalars())


async def roles_of(session: AsyncSession, school_slug: str, channel: str, user_ids: tuple[str, ...]) -> set[str]:
    """The safeguarding roles this user holds at this school, on this channel.

    Only Teams and Slack ids are vouched for by the channel itself; the terminal chat is a
    local operator who already has the database, so it may act as any configured identity.
    """
    if not user_ids:
        return set()
    query = select(RoleAssignment.role).where(
        RoleAssignment.school_slug == school_slug, RoleAssignment.user_id.in_(user_ids)
    )
    if channel != "console":
        query = query.where(RoleAssignment.channel == channel)
    return set((await session.execute(query)).scalars())


@dataclass(frozen=True)
class HolderStatus:
    holder: RoleAssignment
    reachable: bool
    why_not: str = ""


async def holder_statuses(session: AsyncSession, school_slug: str, email_configured: bool = True) -> list[HolderStatus]:
    """Every role holder with whether an alert can reach them now, in role order."""
    rows = (
        (await session.execute(select(RoleAssignment).where(RoleAssignment.school_slug == school_slug))).scalars().all()
    )
    rows = sorted(rows, key=lambda r: (ROLE_ORDER.index(r.role) if r.role in ROLE_ORDER else 99, r.id))
    statuses = []
    for row in rows:
        if row.channel == "msteams":  # Slack apps can DM any workspace member by user id
            known = await session.get(ConversationRef, (row.channel, row.user_id))
            if known is None:
                statuses.append(
                    HolderStatus(
                        row,
                        False,
                        (
                            "the bot cannot message them yet: they have never messaged the bot or installed the "
                            "Teams app (in Teams a 1:1 proactive message fails unless the user has the app installed)"
                        ),
                    )
                )
                continue
        if row.channel == "email" and not email_configured:
            statuses.append(HolderStatus(row, False, "email alerts need SMTP_HOST set (and the dispatcher restarted)"))
            continue
        statuses.append(HolderStatus(row, True))
    return statuses


# --- the command line ----------------------------------------------------------------

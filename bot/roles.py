"""Who holds each safeguarding role at a school, and the `python app.py school ...` commands.

A role holder is one identity on one channel (a Teams AAD object id, a Slack user id or an
email address); a person reachable two ways is listed twice, and alerts go to both. The
escalation chains that decide who hears about what live in `bot.alerts`.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ConversationRef, RoleAssignment, School, SchoolEscalation, TenantSchool

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
        .order_by(RoleAssignment.id))
    return list(rows.scalars())


async def roles_of(session: AsyncSession, school_slug: str, channel: str, user_ids: tuple[str, ...]) -> set[str]:
    """The safeguarding roles this user holds at this school, on this channel.

    Only Teams and Slack ids are vouched for by the channel itself; the terminal chat is a
    local operator who already has the database, so it may act as any configured identity.
    """
    if not user_ids:
        return set()
    query = select(RoleAssignment.role).where(RoleAssignment.school_slug == school_slug,
                                              RoleAssignment.user_id.in_(user_ids))
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
    rows = (await session.execute(
        select(RoleAssignment).where(RoleAssignment.school_slug == school_slug))).scalars().all()
    rows = sorted(rows, key=lambda r: (ROLE_ORDER.index(r.role) if r.role in ROLE_ORDER else 99, r.id))
    statuses = []
    for row in rows:
        if row.channel == "msteams":  # Slack apps can DM any workspace member by user id
            known = await session.get(ConversationRef, (row.channel, row.user_id))
            if known is None:
                statuses.append(HolderStatus(row, False, (
                    "the bot cannot message them yet: they have never messaged the bot or installed the "
                    "Teams app (in Teams a 1:1 proactive message fails unless the user has the app installed)")))
                continue
        if row.channel == "email" and not email_configured:
            statuses.append(HolderStatus(row, False, "email alerts need SMTP_HOST set (and the dispatcher restarted)"))
            continue
        statuses.append(HolderStatus(row, True))
    return statuses


# --- the command line ----------------------------------------------------------------

async def run_school_command(settings, args) -> int:
    from bot.db import open_database

    async with open_database(settings.database_url) as sessions:
        async with sessions() as session, session.begin():
            try:
                school_name = await require_school(session, args.school)
            except UnknownSchool as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            command = args.school_command
            if command == "set-role":
                return await _set_role(session, args, school_name)
            if command == "remove-role":
                return await _remove_role(session, args)
            if command == "show":
                return await _show(session, args.school, school_name, settings)
            if command == "map-tenant":
                return await _map_tenant(session, args)
            if command == "set-timeouts":
                return await _set_timeouts(session, args, school_name)
            if command == "set-review-date":
                from bot.oversight.review_dates import run_set_review_date
                return await run_set_review_date(session, args, school_name)
            print(f"error: unknown school command {command!r}", file=sys.stderr)
            return 2


def _clean_user_id(channel: str, user_id: str) -> str | None:
    user_id = user_id.strip()
    if not user_id:
        return None
    if channel == "email" and ("@" not in user_id or " " in user_id):
        return None
    return user_id


async def _set_role(session: AsyncSession, args, school_name: str) -> int:
    user_id = _clean_user_id(args.channel, args.user_id)
    if user_id is None:
        expected = "an email address" if args.channel == "email" else "a non-empty user id"
        print(f"error: --user-id must be {expected} for channel {args.channel}", file=sys.stderr)
        return 2
    existing = (await session.execute(select(RoleAssignment).where(
        RoleAssignment.school_slug == args.school, RoleAssignment.role == args.role,
        RoleAssignment.channel == args.channel, RoleAssignment.user_id == user_id))).scalar_one_or_none()
    if existing is None:
        session.add(RoleAssignment(school_slug=args.school, role=args.role, channel=args.channel,
                                   user_id=user_id, name=args.name or ""))
        verb = "added"
    else:
        existing.name = args.name or existing.name
        verb = "updated"
    await session.flush()
    print(f"{verb}: {ROLE_TITLES[args.role]} at {school_name}: {args.name or user_id} ({args.channel} {user_id})")
    if args.channel == "msteams" and await session.get(ConversationRef, (args.channel, user_id)) is None:
        print(f"WARNING: the bot cannot message {user_id} on {args.channel} yet: they must install the app "
              "or message the bot once; until then alerts to them wait (and escalate).")
    return 0


async def _remove_role(session: AsyncSession, args) -> int:
    result = await session.execute(delete(RoleAssignment).where(
        RoleAssignment.school_slug == args.school, RoleAssignment.role == args.role,
        RoleAssignment.channel == args.channel, RoleAssignment.user_id == args.user_id.strip()))
    if result.rowcount == 0:
        print(f"error: {args.user_id} does not hold the {args.role} role at {args.school} on {args.channel}",
              file=sys.stderr)
        return 1
    print(f"removed: {args.role} {args.user_id} ({args.channel}) at {args.school}")
    return 0


async def _set_timeouts(session: AsyncSession, args, school_name: str) -> int:
    if not (1 <= args.urgent_minutes <= args.minutes <= 24 * 60):
        print("error: need 1 <= --urgent-minutes <= --minutes <= 1440 (an urgent report must climb no slower)",
              file=sys.stderr)
        return 2
    await session.merge(SchoolEscalation(school_slug=args.school, minutes=args.minutes,
                                         urgent_minutes=args.urgent_minutes))
    print(f"escalation at {school_name}: next in the chain after {args.minutes} min unacknowledged "
          f"({args.urgent_minutes} min if urgent)")
    return 0


async def _show(session: AsyncSession, slug: str, school_name: str, settings) -> int:
    print(f"{school_name} ({slug})")
    statuses = await holder_statuses(session, slug, bool(settings.smtp_host))
    held = {s.holder.role for s in statuses}
    for role in ROLE_ORDER:
        print(f"  {ROLE_TITLES[role]}:")
        mine = [s for s in statuses if s.holder.role == role]
        if not mine:
            print("    (nobody)")
        for status in mine:
            holder = status.holder
            line = f"    {holder.name or '(no name)'}  {holder.channel} {holder.user_id}"
            print(line + ("" if status.reachable else "  [NOT REACHABLE]"))
    own = await session.get(SchoolEscalation, slug)
    if own is not None:
        print(f"  escalation: after {own.minutes} min unacknowledged ({own.urgent_minutes} min if urgent)")
    else:
        print(f"  escalation: after {settings.escalation_minutes} min unacknowledged "
              f"({settings.urgent_escalation_minutes} min if urgent; the defaults)")
    from bot.oversight.review_dates import review_line

    review, overdue = await review_line(session, slug)
    print(f"  policy review: {review}")
    tenants = (await session.execute(select(TenantSchool).where(TenantSchool.school_slug == slug))).scalars().all()
    for tenant in tenants:
        print(f"  serves {tenant.channel} tenant/workspace {tenant.tenant_id}")
    warnings = [f"WARNING: {s.holder.name or s.holder.user_id} ({s.holder.role}, {s.holder.channel}): {s.why_not}"
                for s in statuses if not s.reachable]
    if "dsl" not in held:
        warnings.append("WARNING: no Designated Safeguarding Lead is set: alerts start with the deputies or the head")
    if "head" not in held:
        warnings.append("WARNING: no headteacher is set: concerns about staff have nobody to go to but the chair")
    if overdue:
        warnings.append(f"WARNING: {overdue}")
    for warning in warnings:
        print(warning)
    return 0


async def _map_tenant(session: AsyncSession, args) -> int:
    tenant_id = args.tenant_id.strip()
    if not tenant_id:
        print("error: --tenant-id must not be empty", file=sys.stderr)
        return 2
    if await session.get(TenantSchool, (args.channel, tenant_id, args.school)) is None:
        session.add(TenantSchool(channel=args.channel, tenant_id=tenant_id, school_slug=args.school))
    print(f"mapped: {args.channel} {tenant_id} -> {args.school}")
    return 0

"""`python app.py school ...`: a school's safeguarding role holders, tenants and escalation timeouts."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

NAME = "school"
ROLES = ["dsl", "deputy", "head", "chair"]


def add_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(NAME, help="safeguarding role holders of a school")
    school_sub = parser.add_subparsers(dest="school_command", required=True)
    set_role = school_sub.add_parser("set-role")
    set_role.add_argument("--school", required=True)
    set_role.add_argument("--role", required=True, choices=ROLES)
    set_role.add_argument("--channel", required=True, choices=["msteams", "slack", "email"])
    set_role.add_argument("--user-id", required=True)
    set_role.add_argument("--name", default="")
    remove_role = school_sub.add_parser("remove-role")
    remove_role.add_argument("--school", required=True)
    remove_role.add_argument("--role", required=True, choices=ROLES)
    remove_role.add_argument("--channel", required=True, choices=["msteams", "slack", "email"])
    remove_role.add_argument("--user-id", required=True)
    show = school_sub.add_parser("show")
    show.add_argument("--school", required=True)
    timeouts = school_sub.add_parser("set-timeouts", help="how long each escalation stage waits for an acknowledgement")
    timeouts.add_argument("--school", required=True)
    timeouts.add_argument("--minutes", type=int, required=True, help="normal reports, e.g. 10")
    timeouts.add_argument("--urgent-minutes", type=int, required=True, help="urgent reports, e.g. 2")
    review = school_sub.add_parser("set-review-date", help="when the school's policy is next due for review")
    review.add_argument("--school", required=True)
    review.add_argument("--date", required=True, help="YYYY-MM-DD, e.g. 2027-03-31")
    review.add_argument("--by", default="cli-operator", help="who set it (kept with the date)")
    map_tenant = school_sub.add_parser("map-tenant", help="serve a Teams tenant or Slack workspace")
    map_tenant.add_argument("--school", required=True)
    map_tenant.add_argument("--channel", required=True, choices=["msteams", "slack"])
    map_tenant.add_argument("--tenant-id", required=True)
    return parser


def run(settings, args) -> int:
    return asyncio.run(run_school_command(settings, args))


async def run_school_command(settings, args) -> int:
    from bot.alerts.roles import UnknownSchool, require_school
    from bot.persistence.db import open_database

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
    from sqlalchemy import select

    from bot.alerts.roles import ROLE_TITLES
    from bot.persistence.models import ConversationRef, RoleAssignment

    user_id = _clean_user_id(args.channel, args.user_id)
    if user_id is None:
        expected = "an email address" if args.channel == "email" else "a non-empty user id"
        print(f"error: --user-id must be {expected} for channel {args.channel}", file=sys.stderr)
        return 2
    existing = (
        await session.execute(
            select(RoleAssignment).where(
                RoleAssignment.school_slug == args.school,
                RoleAssignment.role == args.role,
                RoleAssignment.channel == args.channel,
                RoleAssignment.user_id == user_id,
            )
        )
    ).scalar_one_or_none()
    if existing is None:
        session.add(
            RoleAssignment(
                school_slug=args.school, role=args.role, channel=args.channel, user_id=user_id, name=args.name or ""
            )
        )
        verb = "added"
    else:
        existing.name = args.name or existing.name
        verb = "updated"
    await session.flush()
    print(f"{verb}: {ROLE_TITLES[args.role]} at {school_name}: {args.name or user_id} ({args.channel} {user_id})")
    if args.channel == "msteams" and await session.get(ConversationRef, (args.channel, user_id)) is None:
        print(
            f"WARNING: the bot cannot message {user_id} on {args.channel} yet: they must install the app "
            "or message the bot once; until then alerts to them wait (and escalate)."
        )
    return 0


async def _remove_role(session: AsyncSession, args) -> int:
    from sqlalchemy import delete

    from bot.persistence.models import RoleAssignment

    result = await session.execute(
        delete(RoleAssignment).where(
            RoleAssignment.school_slug == args.school,
            RoleAssignment.role == args.role,
            RoleAssignment.channel == args.channel,
            RoleAssignment.user_id == args.user_id.strip(),
        )
    )
    if result.rowcount == 0:
        print(
            f"error: {args.user_id} does not hold the {args.role} role at {args.school} on {args.channel}",
            file=sys.stderr,
        )
        return 1
    print(f"removed: {args.role} {args.user_id} ({args.channel}) at {args.school}")
    return 0


async def _set_timeouts(session: AsyncSession, args, school_name: str) -> int:
    from bot.persistence.models import SchoolEscalation

    if not (1 <= args.urgent_minutes <= args.minutes <= 24 * 60):
        print(
            "error: need 1 <= --urgent-minutes <= --minutes <= 1440 (an urgent report must climb no slower)",
            file=sys.stderr,
        )
        return 2
    await session.merge(
        SchoolEscalation(school_slug=args.school, minutes=args.minutes, urgent_minutes=args.urgent_minutes)
    )
    print(
        f"escalation at {school_name}: next in the chain after {args.minutes} min unacknowledged "
        f"({args.urgent_minutes} min if urgent)"
    )
    return 0


async def _show(session: AsyncSession, slug: str, school_name: str, settings) -> int:
    from sqlalchemy import select

    from bot.alerts.roles import ROLE_ORDER, ROLE_TITLES, holder_statuses
    from bot.persistence.models import SchoolEscalation, TenantSchool

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
        print(
            f"  escalation: after {settings.escalation_minutes} min unacknowledged "
            f"({settings.urgent_escalation_minutes} min if urgent; the defaults)"
        )
    from bot.oversight.review_dates import review_line

    review, overdue = await review_line(session, slug)
    print(f"  policy review: {review}")
    tenants = (await session.execute(select(TenantSchool).where(TenantSchool.school_slug == slug))).scalars().all()
    for tenant in tenants:
        print(f"  serves {tenant.channel} tenant/workspace {tenant.tenant_id}")
    warnings = [
        f"WARNING: {s.holder.name or s.holder.user_id} ({s.holder.role}, {s.holder.channel}): {s.why_not}"
        for s in statuses
        if not s.reachable
    ]
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
    from bot.persistence.models import TenantSchool

    tenant_id = args.tenant_id.strip()
    if not tenant_id:
        print("error: --tenant-id must not be empty", file=sys.stderr)
        return 2
    if await session.get(TenantSchool, (args.channel, tenant_id, args.school)) is None:
        session.add(TenantSchool(channel=args.channel, tenant_id=tenant_id, school_slug=args.school))
    print(f"mapped: {args.channel} {tenant_id} -> {args.school}")
    return 0

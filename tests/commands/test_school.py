"""`python app.py school ...`: role holders are managed from the command line, `show` warns
about anyone the bot cannot reach yet, and an unknown school gets a clear error."""

from __future__ import annotations

from app import build_parser
from bot.alerts import conversation_refs
from bot.persistence.models import RoleAssignment, TenantSchool
from bot.settings import Settings
from commands.school import run_school_command
from tests.support.alert_fixtures import teams_activity


async def school(db_url, capsys, *argv, smtp_host="127.0.0.1") -> tuple[int, str, str]:
    args = build_parser().parse_args(["school", *argv])
    code = await run_school_command(Settings(DATABASE_URL=db_url, SMTP_HOST=smtp_host), args)
    out = capsys.readouterr()
    return code, out.out, out.err


async def test_set_show_and_remove_roles(db_url, sessions, capsys):
    code, out, _ = await school(
        db_url,
        capsys,
        "set-role",
        "--school",
        "oakfield",
        "--role",
        "dsl",
        "--channel",
        "msteams",
        "--user-id",
        "aad-amara",
        "--name",
        "Ms Amara Okafor",
    )
    assert code == 0 and "Designated Safeguarding Lead" in out
    assert "WARNING" in out  # she has not installed the app yet
    await school(
        db_url,
        capsys,
        "set-role",
        "--school",
        "oakfield",
        "--role",
        "head",
        "--channel",
        "email",
        "--user-id",
        "head@oakfield.example",
        "--name",
        "Mrs Helen Rowe",
    )

    code, out, _ = await school(db_url, capsys, "show", "--school", "oakfield")
    assert code == 0
    assert "Ms Amara Okafor" in out and "Mrs Helen Rowe" in out and "head@oakfield.example" in out
    assert "[NOT REACHABLE]" in out and "WARNING: Ms Amara Okafor" in out and "app installed" in out
    assert "WARNING: Mrs Helen Rowe" not in out  # email needs no prior conversation
    _, out, _ = await school(db_url, capsys, "show", "--school", "oakfield", smtp_host="")
    assert "WARNING: Mrs Helen Rowe" in out and "SMTP_HOST" in out  # ...but it does need a mail server

    # Once she installs the app in Teams, the warning goes.
    await conversation_refs.remember(
        sessions,
        teams_activity(
            "https://smba.trafficmanager.net/uk/",
            "29:amara",
            "Ms Amara Okafor",
            aad="aad-amara",
            kind="installationUpdate",
        ),
    )
    code, out, _ = await school(db_url, capsys, "show", "--school", "oakfield")
    assert "NOT REACHABLE" not in out and "WARNING: Ms Amara" not in out

    code, out, _ = await school(
        db_url,
        capsys,
        "remove-role",
        "--school",
        "oakfield",
        "--role",
        "dsl",
        "--channel",
        "msteams",
        "--user-id",
        "aad-amara",
    )
    assert code == 0
    code, out, _ = await school(db_url, capsys, "show", "--school", "oakfield")
    assert "Ms Amara Okafor" not in out and "no Designated Safeguarding Lead" in out
    code, _, err = await school(
        db_url,
        capsys,
        "remove-role",
        "--school",
        "oakfield",
        "--role",
        "dsl",
        "--channel",
        "msteams",
        "--user-id",
        "aad-amara",
    )
    assert code == 1 and "does not hold" in err


async def test_setting_a_role_twice_updates_the_name(db_url, sessions, capsys):
    for name in ("Mr Wei Li", "Mr Wei Li (Deputy DSL, KS2)"):
        await school(
            db_url,
            capsys,
            "set-role",
            "--school",
            "oakfield",
            "--role",
            "deputy",
            "--channel",
            "slack",
            "--user-id",
            "U0WEILI",
            "--name",
            name,
        )
    async with sessions() as session:
        from sqlalchemy import select

        rows = (await session.execute(select(RoleAssignment))).scalars().all()
        assert [(r.role, r.user_id, r.name) for r in rows] == [("deputy", "U0WEILI", "Mr Wei Li (Deputy DSL, KS2)")]


async def test_unknown_school_and_bad_email_are_refused_clearly(db_url, sessions, capsys):
    code, _, err = await school(
        db_url, capsys, "set-role", "--school", "oakfeild", "--role", "dsl", "--channel", "msteams", "--user-id", "x"
    )
    assert code == 2 and "unknown school 'oakfeild'" in err
    assert "oakfield" in err and "stocks-green" in err and "buckminster" in err
    code, _, err = await school(
        db_url,
        capsys,
        "set-role",
        "--school",
        "oakfield",
        "--role",
        "dsl",
        "--channel",
        "email",
        "--user-id",
        "not-an-address",
    )
    assert code == 2 and "email address" in err
    async with sessions() as session:
        from sqlalchemy import select

        assert (await session.execute(select(RoleAssignment))).first() is None


async def test_map_tenant(db_url, sessions, capsys):
    code, out, _ = await school(
        db_url,
        capsys,
        "map-tenant",
        "--school",
        "ringway",
        "--channel",
        "msteams",
        "--tenant-id",
        "72f988bf-0000-0000-0000-2d7cd011db47",
    )
    assert code == 0
    code, _, _ = await school(
        db_url,
        capsys,
        "map-tenant",
        "--school",
        "ringway",
        "--channel",
        "msteams",
        "--tenant-id",
        "72f988bf-0000-0000-0000-2d7cd011db47",
    )  # idempotent
    assert code == 0
    async with sessions() as session:
        from sqlalchemy import select

        rows = (await session.execute(select(TenantSchool))).scalars().all()
        assert [(r.channel, r.school_slug) for r in rows] == [("msteams", "ringway")]
    _, out, _ = await school(db_url, capsys, "show", "--school", "ringway")
    assert "72f988bf" in out


async def test_school_sets_its_own_escalation_timeouts(db_url, capsys):
    _, out, _ = await school(db_url, capsys, "show", "--school", "ringway")
    assert "after 10 min unacknowledged (2 min if urgent; the defaults)" in out
    code, out, _ = await school(
        db_url, capsys, "set-timeouts", "--school", "ringway", "--minutes", "15", "--urgent-minutes", "3"
    )
    assert code == 0 and "after 15 min" in out
    _, out, _ = await school(db_url, capsys, "show", "--school", "ringway")
    assert "after 15 min unacknowledged (3 min if urgent)" in out
    code, _, err = await school(
        db_url, capsys, "set-timeouts", "--school", "ringway", "--minutes", "2", "--urgent-minutes", "5"
    )
    assert code == 2 and "urgent report must climb no slower" in err

"""Draws docs/summary.png, the README's picture of the governors' summary: the scripted term the
tests check (tests/bot/oversight/scripted_term.py, invented people) played into a throwaway SQLite
database, its summary written as the chair of governors, and the page photographed by Debian's
chromium in headless mode. Run: python scripts/summary_picture.py (needs `chromium`)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests/bot/alerts"), str(ROOT / "tests/bot/oversight")]


async def write_page(folder: Path) -> Path:
    from scripted_term import NOW, SCHOOL, play_term

    from bot.oversight.summary_command import write_summary
    from bot.persistence.db import create_engine, migrate, sessionmaker
    from tests.support.alert_fixtures import CIPHER, STAFF

    engine = create_engine(f"sqlite+aiosqlite:///{folder / 'demo.sqlite3'}")
    try:
        await migrate(engine)
        sessions = sessionmaker(engine)
        await play_term(sessions)
        code, message = await write_summary(
            sessions,
            CIPHER,
            school=SCHOOL,
            first="2026-09-01",
            last="2026-12-31",
            as_user=STAFF["chair"][0],
            out=folder,
            now=NOW,
        )
    finally:
        await engine.dispose()
    if code:
        raise SystemExit(message)
    return next(folder.glob("safeguarding-summary-*.html"))


def main() -> int:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        page = asyncio.run(write_page(Path(tmp)))
        target = ROOT / "docs" / "summary.png"
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=1000,3560",
                f"--screenshot={target}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

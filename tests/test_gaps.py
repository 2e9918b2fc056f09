"""Knowledge gaps are counted per question, never with who asked, and listed most-asked first."""
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from bot.db import sessionmaker
from bot.gaps import list_gaps, record_gap
from bot.models import KnowledgeGap

ROOT = Path(__file__).resolve().parents[1]


async def test_repeats_are_counted_on_one_row(engine):
    sessions = sessionmaker(engine)
    await record_gap(sessions, "oakfield", "Can I use TikTok for PE homework?")
    await record_gap(sessions, "oakfield", "can i use tiktok for PE homework")
    await record_gap(sessions, "oakfield", "Is there a policy on smart watches?")
    await record_gap(sessions, "ringway", "Can I use TikTok for PE homework?")
    gaps = await list_gaps(sessions, "oakfield")
    assert [(g.count, g.example) for g in gaps] == [
        (2, "Can I use TikTok for PE homework?"), (1, "Is there a policy on smart watches?")]


def test_gap_rows_have_no_column_for_who_asked():
    columns = {c.key for c in inspect(KnowledgeGap).columns}
    assert not columns & {"user_id", "reporter_id", "asker", "user_name", "channel"}


async def test_blank_questions_are_not_recorded(engine):
    sessions = sessionmaker(engine)
    await record_gap(sessions, "oakfield", "  ?? ")
    assert await list_gaps(sessions, "oakfield") == []


def test_gaps_command_lists_counts(tmp_path):
    import asyncio

    from bot.db import create_engine, migrate

    url = f"sqlite+aiosqlite:///{tmp_path / 'g.sqlite3'}"

    async def seed():
        engine = create_engine(url)
        await migrate(engine)
        for _ in range(3):
            await record_gap(sessionmaker(engine), "buckminster", "Can I wear a smart watch?")
        await engine.dispose()

    asyncio.run(seed())
    out = subprocess.run([sys.executable, "app.py", "gaps", "--school", "buckminster"], cwd=ROOT,
                         env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert "    3  Can I wear a smart watch?" in out.stdout

"""Bringing a school's own policy: readable formats, clear errors, nothing lost on failure."""

import subprocess
import sys
from pathlib import Path

import docx
import pytest
from sqlalchemy import func, select

from bot.persistence.db import sessionmaker
from bot.persistence.models import ClauseRow, School
from bot.persistence.policy_store import load_stored_policies, store_policy
from knowledge.ingest import build_policy
from knowledge.policy_file import bundled_policies
from knowledge.readers import UnreadablePolicy

ROOT = Path(__file__).resolve().parents[2]
POLICY = """Hillside Academy Online Conduct Policy

1. Contact with pupils

- Staff must never accept friend requests from pupils on personal accounts.
- Staff must not give pupils their personal mobile number.

2. Photographs

- Photographs of pupils may only be taken on school-owned cameras.
"""


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with the given lines of text (enough for pypdf to extract)."""
    stream = (
        "BT /F1 11 Tf 50 750 Td 14 TL "
        + " ".join("(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in lines)
        + " ET"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = "%PDF-1.4\n", []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


@pytest.mark.parametrize("suffix", [".txt", ".md", ".docx", ".pdf"])
def test_every_supported_format_yields_the_rules(tmp_path, suffix):
    path = tmp_path / f"hillside{suffix}"
    if suffix == ".txt":
        path.write_text(POLICY)
    elif suffix == ".md":
        path.write_text(
            POLICY.replace("1. Contact", "## 1. Contact").replace("- Staff must never", "* Staff must **never**")
        )
    elif suffix == ".docx":
        document = docx.Document()
        document.add_heading("Contact with pupils", level=1)
        document.add_paragraph(
            "Staff must never accept friend requests from pupils on personal accounts.", style="List Bullet"
        )
        document.add_paragraph("Staff must not give pupils their personal mobile number.", style="List Bullet")
        document.save(path)
    else:
        path.write_bytes(
            minimal_pdf(
                [
                    "Contact with pupils",
                    "",
                    "Staff must never accept friend requests from pupils on personal accounts.",
                    "Staff must not give pupils their personal mobile number.",
                ]
            )
        )
    policy = build_policy(path, "hillside", "Hillside Academy", None)
    texts = [c.text for c in policy.clauses]
    assert "Staff must never accept friend requests from pupils on personal accounts." in texts
    assert "Staff must not give pupils their personal mobile number." in texts


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "no readable policy text"),
        (b"   \n\n ", "no readable policy text"),
        (b"\x00\x01\x02binary", "binary"),
    ],
)
def test_empty_or_binary_files_are_refused(tmp_path, content, message):
    path = tmp_path / "policy.txt"
    path.write_bytes(content)
    with pytest.raises(UnreadablePolicy, match=message):
        build_policy(path, "hillside", "Hillside", None)


def test_corrupt_docx_and_unsupported_types_are_refused(tmp_path):
    bad = tmp_path / "policy.docx"
    bad.write_bytes(b"this is not a zip")
    with pytest.raises(UnreadablePolicy, match="could not be read as .docx"):
        build_policy(bad, "hillside", "Hillside", None)
    odt = tmp_path / "policy.odt"
    odt.write_text("text")
    with pytest.raises(UnreadablePolicy, match="unsupported file type"):
        build_policy(odt, "hillside", "Hillside", None)
    with pytest.raises(UnreadablePolicy, match="slug"):
        build_policy(tmp_path / "x.txt", "Bad Slug!", "Hillside", None)


async def test_ingest_stores_clauses_and_reingest_keeps_ids(engine, tmp_path):
    sessions = sessionmaker(engine)
    path = tmp_path / "hillside.txt"
    path.write_text(POLICY)
    first = await store_policy(sessions, build_policy(path, "hillside", "Hillside Academy", None))
    assert first.clauses == 3 and first.added == 3
    stored = (await load_stored_policies(sessions))["hillside"]
    assert stored.name == "Hillside Academy"
    old_ids = {c.text: c.id for c in stored.clauses}

    path.write_text(POLICY.replace("school-owned cameras.", "school-owned cameras or iPads."))
    second = await store_policy(sessions, build_policy(path, "hillside", "Hillside Academy", None))
    assert (second.unchanged, second.added, second.removed) == (2, 1, 1)
    new_ids = {c.text: c.id for c in (await load_stored_policies(sessions))["hillside"].clauses}
    kept = "Staff must not give pupils their personal mobile number."
    assert new_ids[kept] == old_ids[kept]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ClauseRow)) == 3
        assert await session.scalar(select(func.count()).select_from(School)) == 1


def _cli(*args, env_db):
    import os

    env = {**os.environ, "DATABASE_URL": env_db}
    return subprocess.run(
        [sys.executable, "app.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def image_only_pdf(path: Path) -> None:
    """A PDF with no text layer, as a scanner makes: only a filled rectangle on the page."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 120, 80, style="F")
    pdf.output(str(path))


@pytest.mark.parametrize(
    "make,message",
    [
        (image_only_pdf, "no readable policy text"),
        (lambda path: path.write_bytes(b""), "could not be read as .pdf"),
        (lambda path: path.write_bytes(b"%PDF-1.4 truncated"), "could not be read as .pdf"),
    ],
    ids=["image-only", "empty", "corrupt"],
)
def test_unreadable_pdfs_are_refused(tmp_path, make, message):
    path = tmp_path / "policy.pdf"
    make(path)
    with pytest.raises(UnreadablePolicy, match=message):
        build_policy(path, "hillside", "Hillside", None)


@pytest.mark.parametrize(
    "name,make,message",
    [
        ("empty.txt", lambda path: path.write_text(""), "no readable policy text"),
        ("scanned.pdf", lambda path: image_only_pdf(path), "scanned image"),
    ],
    ids=["empty-text", "image-only-pdf"],
)
def test_cli_failed_ingest_changes_nothing(tmp_path, name, make, message):
    db = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    good = tmp_path / "hillside.txt"
    good.write_text(POLICY)
    assert _cli("ingest", str(good), "--school", "hillside", "--name", "Hillside Academy", env_db=db).returncode == 0
    bad = tmp_path / name
    make(bad)
    result = _cli("ingest", str(bad), "--school", "hillside", "--name", "Hillside Academy", env_db=db)
    assert result.returncode == 2
    assert message in result.stderr and "Nothing was changed" in result.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.sqlite3") as conn:
        assert conn.execute("select count(*) from clauses where school_slug='hillside'").fetchone()[0] == 3


def test_reingesting_a_curated_school_lists_intents_whose_clause_changed(tmp_path):
    from knowledge.catalog import load_catalog

    catalog = load_catalog()
    original = bundled_policies()["ringway"]
    cited = {cid for intent in catalog.intents if (m := catalog.mapping("ringway", intent)) for cid in m.clause_ids}
    target = next(c for c in original.clauses if c.id in cited)
    edited = original.text.replace(
        target.text, target.text.replace("Staff", "All staff", 1).rstrip(".") + " at any time."
    )
    path = tmp_path / "ringway-v2.txt"
    path.write_text(edited)
    db = f"sqlite+aiosqlite:///{tmp_path / 'r.sqlite3'}"
    result = _cli("ingest", str(path), "--school", "ringway", "--name", "Ringway Primary School", env_db=db)
    assert result.returncode == 0, result.stderr
    assert f"clause {target.id} changed or vanished" in result.stdout
    assert "likely now ringway-" in result.stdout
    assert f"({len(original.clauses) - 1} unchanged, 1 new, 1 removed" in result.stdout
    written = sum(cid == target.id for cid, _ in catalog.questions_for_clauses("ringway"))
    assert written and f"{written} question(s) written for a clause that changed or vanished" in result.stdout

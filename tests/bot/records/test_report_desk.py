"""The seam between the flows and the report store never drops a finished report."""

from cryptography.fernet import Fernet

from bot.persistence.crypto import ContentCipher
from bot.persistence.db import sessionmaker
from bot.records.report_desk import ReportDesk
from bot.records.reports import read_report
from dialogs.desk import Reporter

STAFF = Reporter(channel="msteams", user_id="aad-staff-9", name="Mr Felix Adeyemi")


async def test_completing_an_unknown_early_report_files_a_new_one(engine):
    cipher = ContentCipher([Fernet.generate_key().decode()])
    desk = ReportDesk(sessionmaker(engine), cipher)
    content = {"child": "Mia in Year 3", "words": "he shouted and threw my bag"}
    filed = await desk.file(
        reporter=STAFF,
        school_slug="oakfield",
        kind="disclosure",
        category="",
        urgency="urgent",
        route_to="dsl",
        content=content,
        reference="OAK-2026-9999",
    )
    assert filed.reference != "OAK-2026-9999"
    async with sessionmaker(engine)() as session:
        view = await read_report(session, cipher, filed.reference)
    assert view.content == content and view.urgency == "urgent"

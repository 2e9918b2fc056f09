"""SqlStorage keeps dialog state in the database: botbuilder's own storage contract, restarts,
isolation between conversations and eTag concurrency, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import inspect
import json

import pytest
from botbuilder.core import ConversationState, MessageFactory, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import DialogSet, DialogTurnStatus, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.choices import Choice, ListStyle
from botbuilder.dialogs.prompts import ChoicePrompt, PromptOptions, TextPrompt
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from botbuilder.testing import StorageBaseTests
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from bot.persistence.crypto import ContentCipher
from bot.persistence.db import create_engine
from bot.persistence.models import BotStateItem
from bot.persistence.storage import ETagConflict, SqlStorage, StorageUnavailable

BASE_TESTS = sorted(name for name, member in vars(StorageBaseTests).items() if isinstance(member, staticmethod))


def test_every_base_test_is_run():
    """If botbuilder-testing gains a storage test, this list (and so the suite) picks it up."""
    assert "proceeds_through_waterfall" in BASE_TESTS and len(BASE_TESTS) >= 11


KEY = Fernet.generate_key().decode()


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
@pytest.mark.parametrize("name", BASE_TESTS)
async def test_botbuilder_storage_base_tests(engine, name, encrypted):
    check = getattr(StorageBaseTests, name)
    assert inspect.iscoroutinefunction(check)
    storage = SqlStorage(engine, ContentCipher([KEY]) if encrypted else None)
    assert await check(storage) is True


# --- A report-like waterfall that must survive a restart ----------------------------------


def _report_bot(storage, conversation_id: str = "conv-1"):
    """A three-question waterfall (text, choice, text) on `storage`, as a TestAdapter."""
    conversation_state = ConversationState(storage)
    dialogs = DialogSet(conversation_state.create_property("dialogState"))

    async def ask_child(step: WaterfallStepContext):
        return await step.prompt("text", PromptOptions(prompt=MessageFactory.text("Child's first name?")))

    async def ask_year(step: WaterfallStepContext):
        step.values["child"] = step.result
        return await step.prompt(
            "choice",
            PromptOptions(
                prompt=MessageFactory.text("Year group?"),
                choices=[Choice("Year 4"), Choice("Year 5"), Choice("Year 6")],
                style=ListStyle.suggested_action,
            ),
        )

    async def ask_words(step: WaterfallStepContext):
        step.values["year"] = step.result.value
        return await step.prompt("text", PromptOptions(prompt=MessageFactory.text("Their words, exactly?")))

    async def finish(step: WaterfallStepContext):
        values = step.values
        await step.context.send_activity(f"Recorded: {values['child']}, {values['year']}, {step.result}")
        return await step.end_dialog()

    dialogs.add(TextPrompt("text"))
    dialogs.add(ChoicePrompt("choice"))
    dialogs.add(WaterfallDialog("report", [ask_child, ask_year, ask_words, finish]))

    async def logic(turn: TurnContext):
        dc = await dialogs.create_context(turn)
        result = await dc.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            await dc.begin_dialog("report")
        await conversation_state.save_changes(turn)

    template = Activity(
        channel_id="test",
        service_url="https://test.invalid",
        from_property=ChannelAccount(id=f"user-{conversation_id}", name="Ms Amara Okafor"),
        recipient=ChannelAccount(id="bot", name="Bot"),
        conversation=ConversationAccount(id=conversation_id),
    )
    return TestAdapter(logic, template)


async def test_half_finished_report_resumes_after_restart_on_a_new_engine(db_url):
    engine = create_engine(db_url)
    adapter = _report_bot(SqlStorage(engine))
    step = await (await adapter.send("report")).assert_reply("Child's first name?")
    step = await step.send("Jayden")
    await step.assert_reply(lambda activity, description: activity.text.startswith("Year group?"))
    await engine.dispose()  # the process "dies" mid-report, waiting at the choice prompt

    engine = create_engine(db_url)
    try:
        restarted = _report_bot(SqlStorage(engine))  # new storage, new dialogs, same database
        step = await (await restarted.send("Year 5")).assert_reply("Their words, exactly?")
        await (await step.send("he said it hurts")).assert_reply("Recorded: Jayden, Year 5, he said it hurts")
    finally:
        await engine.dispose()


async def test_a_conversation_hopping_between_two_live_processes_keeps_its_place(db_url):
    engines = [create_engine(db_url), create_engine(db_url)]  # two servers, no shared memory
    try:
        one, two = (_report_bot(SqlStorage(engine)) for engine in engines)
        await (await one.send("report")).assert_reply("Child's first name?")
        await (await two.send("Jayden")).assert_reply(lambda activity, description: None)
        await (await one.send("Year 6")).assert_reply("Their words, exactly?")
        await (await two.send("she was scared")).assert_reply("Recorded: Jayden, Year 6, she was scared")
    finally:
        for engine in engines:
            await engine.dispose()


async def test_stored_state_is_plain_json_without_python_object_paths(engine):
    adapter = _report_bot(SqlStorage(engine))
    step = await (await adapter.send("report")).assert_reply("Child's first name?")
    await (await step.send("Jayden")).assert_reply(lambda activity, description: None)
    async with engine.connect() as conn:
        stored = (await conn.execute(select(BotStateItem.data))).scalars().all()
    dumped = json.dumps(stored)
    assert "Jayden" in dumped
    assert "py/object" not in dumped and "botbuilder." not in dumped


async def test_encrypted_state_hides_a_half_finished_report_and_still_resumes(db_url):
    engine = create_engine(db_url)
    adapter = _report_bot(SqlStorage(engine, ContentCipher([KEY])))
    step = await (await adapter.send("report")).assert_reply("Child's first name?")
    await (await step.send("Jayden")).assert_reply(lambda activity, description: None)
    async with engine.connect() as conn:
        stored = json.dumps((await conn.execute(select(BotStateItem.data))).scalars().all())
    await engine.dispose()
    assert "Jayden" not in stored and "Year group" not in stored

    engine = create_engine(db_url)
    try:
        restarted = _report_bot(SqlStorage(engine, ContentCipher([KEY])))  # a new process, same key
        await (await restarted.send("Year 4")).assert_reply("Their words, exactly?")
    finally:
        await engine.dispose()


async def test_state_written_before_encryption_was_switched_on_is_still_read(engine):
    await SqlStorage(engine).write({"conv": {"child": "Jayden"}})
    encrypted = SqlStorage(engine, ContentCipher([KEY]))
    item = (await encrypted.read(["conv"]))["conv"]
    assert item["child"] == "Jayden"
    await encrypted.write({"conv": item})
    async with engine.connect() as conn:
        assert "Jayden" not in json.dumps((await conn.execute(select(BotStateItem.data))).scalar_one())
    with pytest.raises(ValueError, match="encrypted"):
        await SqlStorage(engine).read(["conv"])  # no key: a clear refusal, never garbage


async def test_two_conversations_never_see_each_others_state(engine):
    storage = SqlStorage(engine)
    first, second = _report_bot(storage, "conv-a"), _report_bot(storage, "conv-b")
    a = await (await first.send("report")).assert_reply("Child's first name?")
    b = await (await second.send("report")).assert_reply("Child's first name?")
    a = await (await a.send("Jayden")).assert_reply(lambda activity, description: None)
    b = await (await b.send("Priya")).assert_reply(lambda activity, description: None)
    a = await (await a.send("Year 4")).assert_reply("Their words, exactly?")
    b = await (await b.send("Year 6")).assert_reply("Their words, exactly?")
    await (await b.send("words b")).assert_reply("Recorded: Priya, Year 6, words b")
    await (await a.send("words a")).assert_reply("Recorded: Jayden, Year 4, words a")


# --- eTag concurrency -----------------------------------------------------------------------


async def test_stale_etag_is_rejected_and_the_newer_write_kept(engine):
    storage = SqlStorage(engine)
    await storage.write({"conv": {"step": 1, "e_tag": "*"}})
    first = (await storage.read(["conv"]))["conv"]
    second = (await storage.read(["conv"]))["conv"]
    first["step"] = 2
    await storage.write({"conv": first})
    second["step"] = 99
    with pytest.raises(ETagConflict):
        await storage.write({"conv": second})
    assert (await storage.read(["conv"]))["conv"]["step"] == 2


async def test_concurrent_writers_from_one_read_exactly_one_wins(engine):
    storage = SqlStorage(engine)
    await storage.write({"conv": {"writer": None, "e_tag": "*"}})
    etag = (await storage.read(["conv"]))["conv"]["e_tag"]

    async def writer(number: int):
        return await storage.write({"conv": {"writer": number, "e_tag": etag}})

    outcomes = await asyncio.gather(*(writer(n) for n in range(12)), return_exceptions=True)
    winners = [n for n, outcome in enumerate(outcomes) if outcome is None]
    losers = [outcome for outcome in outcomes if outcome is not None]
    assert len(winners) == 1
    assert all(isinstance(outcome, ETagConflict) for outcome in losers) and len(losers) == 11
    assert (await storage.read(["conv"]))["conv"]["writer"] == winners[0]


async def test_write_with_an_etag_after_the_state_was_deleted_is_a_conflict(engine):
    storage = SqlStorage(engine)
    await storage.write({"conv": {"n": 1}})
    item = (await storage.read(["conv"]))["conv"]
    await storage.delete(["conv"])
    with pytest.raises(ETagConflict):
        await storage.write({"conv": item})
    assert await storage.read(["conv"]) == {}


async def test_a_conflict_in_a_batch_writes_nothing(engine):
    storage = SqlStorage(engine)
    await storage.write({"a": {"n": 1}, "b": {"n": 1}})
    with pytest.raises(ETagConflict):
        await storage.write({"a": {"n": 2, "e_tag": "*"}, "b": {"n": 2, "e_tag": "stale"}})
    stored = await storage.read(["a", "b"])
    assert stored["a"]["n"] == 1 and stored["b"]["n"] == 1


# --- Awkward content and keys -----------------------------------------------------------------


async def test_awkward_text_and_very_long_keys_round_trip(engine):
    storage = SqlStorage(engine)
    long_key = "msteams/conversations/" + "a:1" * 300
    other_long_key = long_key[:-1] + "x"
    awkward = (
        "emoji 🙂, RTL مرحبا, quotes \" ' \\, tab\t, newline\n, control \x07 \x00, lone surrogate \ud800, "
        + "x" * 100_000
    )
    await storage.write({long_key: {"text": awkward}, other_long_key: {"text": "other"}})
    stored = await storage.read([long_key, other_long_key])
    assert stored[long_key]["text"] == awkward
    assert stored[other_long_key]["text"] == "other"


async def test_unregistered_objects_are_refused_before_anything_is_written(engine):
    class Unknown:
        pass

    storage = SqlStorage(engine)
    with pytest.raises(TypeError, match="register_state_type"):
        await storage.write({"ok": {"n": 1}, "bad": {"thing": Unknown()}})
    assert await storage.read(["ok", "bad"]) == {}


async def test_a_row_naming_an_unknown_type_is_not_instantiated(engine):
    async with engine.begin() as conn:
        await conn.execute(
            BotStateItem.__table__.insert().values(key="evil", etag="1", data={"x": {"$t": "os.system", "$o": {}}})
        )
    with pytest.raises(ValueError, match="unknown type"):
        await SqlStorage(engine).read(["evil"])


async def test_unreachable_database_raises_storage_unavailable():
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")
    try:
        with pytest.raises(StorageUnavailable):
            await SqlStorage(engine).read(["conv"])
        with pytest.raises(StorageUnavailable):
            await SqlStorage(engine).write({"conv": {"n": 1}})
    finally:
        await engine.dispose()


async def test_rows_are_counted_one_per_key(engine):
    storage = SqlStorage(engine)
    for n in range(3):
        await storage.write({"conv": {"n": n}})
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM bot_state"))).scalar() == 1

"""End to end as in Teams: the real server, the Microsoft 365 Agents Playground pointed at it,
and headless Debian Chromium driving the Playground page like a member of staff.

Everything it needs is installed by the project's own `scripts/e2e-deps.sh` (Debian's
Chromium, the Python playwright driver, the Playground from npm). When that cannot work on
this machine the test FAILS with the reason; it never skips.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "playground.png"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REFERENCE = re.compile(r"\b[A-Z]{2,5}-\d{4}-\d{3,}\b")

pytestmark = pytest.mark.e2e

# How a member of staff answers the online-safety incident flow: buttons by label, free text by topic.
BUTTON_CHOICES = ["Submit", "An online-safety incident", "Cyberbullying", "No device involved", "No"]
FREE_TEXT = [
    (r"platform|app|website", "Instagram"),
    (r"when", "Yesterday evening"),
    (r"pupils|who .*involved", "Two pupils in Year 8: one target, one alleged perpetrator"),
    (r"what happened", "Unkind messages about a pupil were posted in a class group chat"),
    (r"done so far|what did you do|actions", "Spoke to both pupils separately"),
    (r"told already|who has been told|anyone else", "no one yet"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"{proc.args[0]} exited with {proc.returncode} before {url} answered:\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {timeout:.0f}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def e2e_dependencies():
    # The venv is the one running this test (a git worktree has no .venv of its own).
    env = {**os.environ, "VENV": os.environ.get("VENV") or str(Path(sys.executable).parents[1])}
    result = subprocess.run(
        ["bash", "scripts/e2e-deps.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    if result.returncode != 0:
        pytest.fail(
            "the Teams end-to-end test cannot run here: scripts/e2e-deps.sh failed:\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        )


@pytest.fixture
def servers(e2e_dependencies, tmp_path):
    """The bot on a fresh SQLite file and the Playground pointed at it, both on loopback ports."""
    bot_port, playground_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'e2e.sqlite3'}",
        "MicrosoftAppId": "",
        "ENCRYPTION_KEYS": "",
        "TEAMSAPPTESTER_BROWSER": "none",
    }
    env.pop("SLACK_SIGNING_SECRET", None)
    procs: list[subprocess.Popen] = []
    bot_log, playground_log = tmp_path / "bot.log", tmp_path / "playground.log"
    try:
        procs.append(
            subprocess.Popen(
                [sys.executable, "app.py", "serve", "--host", "127.0.0.1", "--port", str(bot_port)],
                cwd=ROOT,
                env=env,
                stdout=bot_log.open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        wait_http(f"http://127.0.0.1:{bot_port}/readyz", 90, procs[0], bot_log)
        procs.append(
            subprocess.Popen(
                [
                    str(ROOT / "playground/node_modules/.bin/agentsplayground"),
                    "-e",
                    f"http://127.0.0.1:{bot_port}/api/messages",
                    "-c",
                    "msteams",
                    "-p",
                    str(playground_port),
                    "--dt",
                ],
                cwd=tmp_path,
                env=env,
                stdout=playground_log.open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        wait_http(f"http://127.0.0.1:{playground_port}/", 60, procs[1], playground_log)
        yield f"http://127.0.0.1:{playground_port}/", bot_log
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


class Chat:
    """The Playground's personal chat, read the way a person reads it."""

    def __init__(self, page):
        self.page = page

    async def transcript(self) -> str:
        body = await self.page.locator("body").inner_text()
        return body[: body.find("Type a message...")]

    async def last_bot_message(self) -> str:
        text = await self.transcript()
        return text[text.rfind("Test Bot") :]

    async def wait_for_reply(self, before: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = await self.last_bot_message()
            if current != before:
                await asyncio.sleep(0.5)  # a reply may come as several activities
                return await self.last_bot_message()
            await asyncio.sleep(0.25)
        raise AssertionError(f"no reply within {timeout}s; the chat ends with:\n{before[-800:]}")

    async def say(self, text: str) -> str:
        before = await self.last_bot_message()
        box = self.page.locator("[data-lexical-editor=true]")
        await box.click()
        await box.type(text)
        await self.page.keyboard.press("Enter")
        return await self.wait_for_reply(before)

    async def current_card(self):
        """The newest Adaptive Card, if it is part of the newest bot message (so its buttons are live)."""
        cards = self.page.locator(".ac-adaptiveCard")
        if not await cards.count():
            return None
        card = cards.last
        text = (await card.inner_text()).strip()
        return card if text and text.splitlines()[0] in await self.last_bot_message() else None

    async def press(self, card, label: str) -> str:
        before = await self.last_bot_message()
        await card.get_by_role("button", name=label, exact=True).click()
        return await self.wait_for_reply(before)

    async def open(self, conversation: str) -> None:
        """Switch to "Personal Chat" or "Group Chat" in the Playground's side bar."""
        await (
            self.page.get_by_role("region", name="Chat and Teams Channel").get_by_text(conversation, exact=True).click()
        )
        await asyncio.sleep(1)

    async def pane(self) -> str:
        """The open conversation alone, without the side bar (which previews every chat's last message)."""
        body = await self.transcript()
        side = await self.page.get_by_role("region", name="Chat and Teams Channel").inner_text()
        return body[body.find(side) + len(side) :] if side in body else body

    async def mention_bot(self, text: str) -> None:
        """In a group chat Teams sends the bot only messages that @mention it: pick it from the menu."""
        box = self.page.locator("[data-lexical-editor=true]")
        await box.click()
        await box.type("@Test")
        await self.page.locator("#typeahead-menu").get_by_text("Test Bot", exact=True).click()
        await box.type(" " + text)
        await self.page.keyboard.press("Enter")

    async def wait_for_pane(self, words: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if words in (pane := await self.pane()):
                await asyncio.sleep(0.5)  # a reply may come as several activities
                return await self.pane()
            await asyncio.sleep(0.25)
        raise AssertionError(f"{words!r} did not appear within {timeout}s; the conversation shows:\n{pane[-800:]}")


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


async def answer_flow(chat: Chat, first_reply: str, max_steps: int = 25) -> str:
    """Answer each question of the report until the bot gives a reference."""
    reply = first_reply
    for _ in range(max_steps):
        if REFERENCE.search(reply):
            return reply
        card = await chat.current_card()
        labels = [normalised(await b.inner_text()) for b in await card.get_by_role("button").all()] if card else []
        pick = next(
            (
                choice
                for choice in BUTTON_CHOICES
                for label in labels
                if label == choice or (choice == "Submit" and label.startswith("Submit"))
            ),
            None,
        )
        if pick == "Submit":
            pick = next(label for label in labels if label.startswith("Submit"))
        if pick:
            reply = await chat.press(card, pick)
            continue
        question = reply.lower()
        text = next((answer for pattern, answer in FREE_TEXT if re.search(pattern, question)), "Not known")
        reply = await chat.say(text)
    raise AssertionError(f"the report did not finish in {max_steps} steps; last reply:\n{reply}")


async def test_staff_ask_in_the_playground_then_report_a_concern(servers, tmp_path):
    from playwright.async_api import async_playwright

    url, bot_log = servers
    policy_text = normalised((ROOT / "knowledge/policies/oakfield.txt").read_text(encoding="utf-8"))
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            await page.goto(url, wait_until="networkidle")
            chat = Chat(page)
            await page.get_by_text("Safeguarding policy assistant").first.wait_for(timeout=30_000)  # welcome card

            reply = await chat.say("Can I be friends with pupils on social media?")
            card = await chat.current_card()
            assert card is not None, f"expected an answer card, got:\n{reply}"
            card_text = await card.inner_text()
            assert card_text.splitlines()[0].strip() == "No"
            quoted = re.findall(r"\u201c(.+?)\u201d", card_text, re.S)
            assert quoted, f"no quoted clause in the card:\n{card_text}"
            assert all(normalised(q) in policy_text for q in quoted)  # the policy's exact words
            assert "Section:" in card_text and "Who to ask" in card_text
            await page.screenshot(path=str(tmp_path / "playground.png"))
            if os.environ.get("UPDATE_SCREENSHOTS") or not SCREENSHOT.exists():  # the README's picture
                SCREENSHOT.parent.mkdir(exist_ok=True)
                await page.screenshot(path=str(SCREENSHOT))

            reply = await chat.press(card, "Report a concern")
            assert "What do you want to report?" in reply
            done = await answer_flow(chat, reply)
            assert REFERENCE.search(done), done
        finally:
            await browser.close()
    log = bot_log.read_text()
    assert "Unkind messages about a pupil" not in log  # what was typed in a report never reaches the log


DISCLOSURE = "Jayden in year 4 just told me his uncle touches him when he stays over"


async def test_a_report_started_in_the_playground_group_chat_continues_in_the_personal_chat(servers):
    """Issue 15 as a member of staff meets it: the Playground's group chat is a Teams group chat
    (conversationType groupChat, the bot @mentioned), and its createConversation opens the personal
    chat, so the report's questions must appear there and only there."""
    from playwright.async_api import async_playwright

    url, bot_log = servers
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            await page.goto(url, wait_until="networkidle")
            chat = Chat(page)
            await page.get_by_text("Safeguarding policy assistant").first.wait_for(timeout=30_000)

            await chat.open("Group Chat")
            await chat.mention_bot(DISCLOSURE)
            group = await chat.wait_for_pane("sent you a private message")
            said_by_bot = group[group.find("sent you a private message") - 20 :]
            assert "Jayden" not in said_by_bot and "Is a child in immediate danger" not in group

            await chat.open("Personal Chat")
            private = await chat.wait_for_pane("Is a child in immediate danger")
            assert "You started a report in a group chat; let's continue here" in private
            card = await chat.current_card()
            assert card is not None, f"expected the first question as a card, got:\n{private[-800:]}"
            assert "Which child" in await chat.press(card, "No")

            await chat.open("Group Chat")
            group = await chat.pane()
            assert "Which child" not in group and "Is a child in immediate danger" not in group
        finally:
            await browser.close()
    assert "uncle touches" not in bot_log.read_text()  # nor does the log keep what was typed

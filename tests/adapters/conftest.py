"""Fixtures shared by the adapter tests."""

import pytest
from aiohttp.test_utils import TestServer

from tests.support.adapter_fakes import Recorder, fake_connector


@pytest.fixture
async def connector():
    """A fake Bot Framework connector on a real port: what the bot posts to Teams is recorded."""
    recorder = Recorder()
    async with TestServer(fake_connector(recorder), host="127.0.0.1") as server:
        recorder.url = str(server.make_url("/"))
        yield recorder

"""The Teams app zip: what an IT lead uploads must validate and hold everything Teams needs."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib

from adapters.deployment import DeploymentSettings
from adapters.slack_manifest import slack_manifest
from adapters.teams_package import build_package, validate_manifest
from bot.settings import Settings

APP_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def read_png(data: bytes):
    """(width, height, RGBA pixels) of the 8-bit RGBA PNGs the package writes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour_type = struct.unpack(">IIBB", data[16:26])
    assert (depth, colour_type) == (8, 6)
    idat, pos = b"", 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 4 + 1
    pixels = [raw[r * stride + 1 + c * 4 : r * stride + 5 + c * 4] for r in range(height) for c in range(width)]
    return width, height, pixels


def test_package_holds_a_valid_manifest_and_both_icons(tmp_path, capsys):
    assert build_package(Settings(MicrosoftAppId=APP_ID), tmp_path) == 0
    with zipfile.ZipFile(tmp_path / "safeguarding-assistant-teams.zip") as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(zf.read("manifest.json"))
        colour = read_png(zf.read("color.png"))
        outline = read_png(zf.read("outline.png"))
    assert validate_manifest(manifest) == []
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}
    assert colour[:2] == (192, 192) and outline[:2] == (32, 32)
    alphas = {p[3] for p in outline[2]}
    assert alphas == {0, 255}  # transparent background with a drawn outline
    assert {bytes(p[:3]) for p in outline[2] if p[3]} == {b"\xff\xff\xff"}  # white only, as Teams requires


def test_validation_catches_a_broken_manifest():
    from adapters.teams_package import manifest

    broken = manifest(APP_ID, DeploymentSettings())
    del broken["icons"]
    broken["id"] = "not-a-guid"
    problems = validate_manifest(broken)
    assert any("icons" in p for p in problems) and any(p.startswith("id:") for p in problems)


def test_package_refuses_without_a_bot_id(tmp_path, capsys):
    assert build_package(Settings(MicrosoftAppId=""), tmp_path) == 2
    assert "MicrosoftAppId" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_slack_manifest_points_events_and_interactivity_at_the_bot():
    manifest = slack_manifest(DeploymentSettings(PUBLIC_BASE_URL="https://bot.trust.example/"))
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"] == "https://bot.trust.example/api/slack"
    assert settings["interactivity"]["request_url"] == "https://bot.trust.example/api/slack"
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert "chat:write" in manifest["oauth_config"]["scopes"]["bot"]

"""`python app.py teams-package`: the zip a school's IT lead uploads to Teams.

It holds manifest.json (schema v1.17, the bot id from MicrosoftAppId), color.png
(192x192) and outline.png (32x32, white on transparent), and is checked against
Microsoft's own manifest schema before it is written. The schema is vendored in
`adapters/schemas/` (MIT, from the npm package @microsoft/app-manifest) because
there is no network at test time; `jsonschema` (a test and packaging dependency)
validates against it. The icons are drawn here with zlib, so no imaging library is needed.
"""

from __future__ import annotations

import json
import re
import struct
import sys
import zipfile
import zlib
from pathlib import Path

from adapters.deployment import DeploymentSettings
from bot.settings import Settings

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "MicrosoftTeams.v1.17.schema.json"
MANIFEST_VERSION = "1.17"
ACCENT = (0x1F, 0x6F, 0x8B)
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def png(width: int, height: int, pixel) -> bytes:
    """An RGBA PNG; `pixel(x, y)` returns (r, g, b, a)."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def in_shield(x: float, y: float) -> bool:
    """A shield in the unit square: straight top half, tapering to a point at the bottom."""
    if not (0.2 <= y <= 0.88):
        return False
    half_width = 0.32 if y < 0.55 else 0.32 * (0.88 - y) / 0.33
    return abs(x - 0.5) <= half_width


def colour_icon() -> bytes:
    """192x192 full-colour icon: a white shield on the accent colour."""
    return png(192, 192, lambda x, y: (255, 255, 255, 255) if in_shield(x / 192, y / 192) else (*ACCENT, 255))


def outline_icon() -> bytes:
    """32x32 outline icon: Teams requires white on a transparent background."""

    def pixel(x, y):
        u, v = (x + 0.5) / 32, (y + 0.5) / 32
        edge = in_shield(u, v) and not in_shield(0.5 + (u - 0.5) * 1.35, 0.2 + (v - 0.2) * 1.2)
        return (255, 255, 255, 255) if edge else (0, 0, 0, 0)

    return png(32, 32, pixel)


def manifest(app_id: str, deployment: DeploymentSettings) -> dict:
    domain = re.sub(r"^https?://", "", deployment.base).split("/")[0]
    return {
        "$schema": f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json",
        "manifestVersion": MANIFEST_VERSION,
        "version": "1.0.0",
        "id": app_id,
        "developer": {
            "name": deployment.developer_name,
            "websiteUrl": deployment.website_url,
            "privacyUrl": deployment.privacy_url,
            "termsOfUseUrl": deployment.terms_url,
        },
        "name": {"short": "Safeguarding", "full": "Safeguarding policy assistant"},
        "description": {
            "short": "Ask your school's safeguarding policy; report a concern to the DSL",
            "full": (
                "Ask what your school's social media and safeguarding policy says, in your own words, and get "
                "a verdict, the exact clause, its section and who to ask. If a child tells you something "
                "worrying, the assistant walks you through a report and alerts your Designated Safeguarding "
                "Lead."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal", "team", "groupChat"],
                        "commands": [
                            {"title": "report a concern", "description": "Start a safeguarding report"},
                            {"title": "switch school", "description": "Choose which school's policy answers you"},
                            {"title": "help", "description": "What I can do"},
                        ],
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [domain] if domain else [],
    }


def validate_manifest(document: dict) -> list[str]:
    """Every way `document` breaks Microsoft's manifest schema, as readable lines (empty: valid)."""
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(document)]


def build_package(settings: Settings, out: str | Path) -> int:
    app_id = settings.microsoft_app_id
    if not GUID.match(app_id or ""):
        print(
            "teams-package: set MicrosoftAppId to your Azure Bot's app id (a GUID) first; "
            "Teams cannot install a bot without it.",
            file=sys.stderr,
        )
        return 2
    document = manifest(app_id, DeploymentSettings())
    problems = validate_manifest(document)
    if problems:
        print("teams-package: the manifest does not validate:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "safeguarding-assistant-teams.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(document, indent=2))
        zf.writestr("color.png", colour_icon())
        zf.writestr("outline.png", outline_icon())
    print(target)
    return 0

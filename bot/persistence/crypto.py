"""Report content encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256, from `cryptography`).

Keys come from ENCRYPTION_KEYS, comma-separated, newest first. MultiFernet encrypts with
the first key and decrypts with any, so rotation is: put a new key first, run
`rotate()` over stored tokens (bot.records.reports.reencrypt_reports), then drop the old key.

There is never a plaintext fallback. In production a missing key stops the process with a
clear message. In development a key is generated once into var/dev-encryption.key (0600)
with a loud warning, so `make run` works on a fresh clone yet nothing is stored in clear.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)

DEV_KEY_PATH = PROJECT_ROOT / "var" / "dev-encryption.key"
GENERATE_HINT = 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'


class EncryptionKeyMissing(RuntimeError):
    """Production without ENCRYPTION_KEYS: refuse to start rather than store reports in clear."""


class EncryptionKeyInvalid(ValueError):
    """A configured key is not a Fernet key (the message never repeats the key)."""


class ContentUnreadable(Exception):
    """Stored content could not be decrypted with any configured key (a key was dropped too early?)."""


class ContentCipher:
    """Encrypts report content (JSON dicts and short texts) for the database."""

    def __init__(self, keys: list[str] | tuple[str, ...]):
        if not keys:
            raise EncryptionKeyMissing("ContentCipher needs at least one Fernet key")
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.strip().encode("ascii")))
            except (ValueError, UnicodeEncodeError) as exc:
                raise EncryptionKeyInvalid(
                    f"ENCRYPTION_KEYS entry {position} is not a valid Fernet key (32 url-safe base64 bytes); "
                    f"generate one with: {GENERATE_HINT}"
                ) from exc
        self._fernet = MultiFernet(fernets)

    @classmethod
    def from_settings(cls, settings: Settings, dev_key_path: Path = DEV_KEY_PATH) -> ContentCipher:
        keys = [key for key in (part.strip() for part in settings.encryption_keys.split(",")) if key]
        if keys:
            return cls(keys)
        if settings.is_production:
            raise EncryptionKeyMissing(
                "Refusing to start: ENVIRONMENT=production but ENCRYPTION_KEYS is empty. Safeguarding reports "
                "are only ever stored encrypted. Set ENCRYPTION_KEYS to one or more comma-separated Fernet keys, "
                f"newest first; generate one with: {GENERATE_HINT}"
            )
        return cls([_development_key(dev_key_path)])

    def encrypt_json(self, content: dict) -> bytes:
        # ASCII JSON: any text a chat can deliver (even a lone surrogate) encodes without error.
        return self._fernet.encrypt(json.dumps(content).encode("ascii"))

    def decrypt_json(self, token: bytes) -> dict:
        return json.loads(self._decrypt(token).decode("utf-8"))

    def encrypt_text(self, value: str) -> bytes:
        return self._fernet.encrypt(value.encode("utf-8", "surrogatepass"))

    def decrypt_text(self, token: bytes) -> str:
        return self._decrypt(token).decode("utf-8", "surrogatepass")

    def rotate(self, token: bytes) -> bytes:
        """The same content re-encrypted under the newest key (for key rotation)."""
        try:
            return self._fernet.rotate(bytes(token))
        except InvalidToken as exc:
            raise ContentUnreadable("stored content is not readable with any configured key") from exc

    def _decrypt(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(bytes(token))
        except InvalidToken as exc:
            raise ContentUnreadable("stored content is not readable with any configured key") from exc


def _development_key(path: Path) -> str:
    """The development key, created once with owner-only permissions."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written in full to a private temporary file, then linked into place atomically, so
        # a second process starting at the same moment never reads a half-written key.
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(Fernet.generate_key().decode("ascii") + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won the race: use its key
        finally:
            temporary.unlink()
    log.warning(
        "!!! ENCRYPTION_KEYS is not set: encrypting reports with a DEVELOPMENT key from %s. "
        "Losing that file makes every stored report unreadable. Set ENCRYPTION_KEYS (and "
        "ENVIRONMENT=production) before real use. !!!",
        path,
    )
    return path.read_text(encoding="ascii").strip()

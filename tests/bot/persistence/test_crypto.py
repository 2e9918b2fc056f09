"""Report content is only ever stored encrypted, keys rotate, and production refuses to run keyless."""

from __future__ import annotations

import logging
import stat

import pytest
from cryptography.fernet import Fernet

from bot.persistence.crypto import ContentCipher, ContentUnreadable, EncryptionKeyInvalid, EncryptionKeyMissing
from bot.settings import Settings

CONTENT = {"child": "Jayden in Year 5", "words": "he said “it hurts when…” 🙁 مرحبا \x00 \ud800"}


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_content_round_trips_and_is_not_readable_in_the_token():
    cipher = ContentCipher([Fernet.generate_key().decode()])
    token = cipher.encrypt_json(CONTENT)
    assert b"Jayden" not in token and "Jayden".encode("utf-16-le") not in token
    assert cipher.decrypt_json(token) == CONTENT
    assert cipher.decrypt_text(cipher.encrypt_text("closed after LADO advice")) == "closed after LADO advice"
    assert cipher.decrypt_text(cipher.encrypt_text("odd \ud800 \x00 text")) == "odd \ud800 \x00 text"


def test_rotation_moves_old_content_to_the_new_key():
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    old_token = ContentCipher([old_key]).encrypt_json(CONTENT)
    during_rotation = ContentCipher([new_key, old_key])
    assert during_rotation.decrypt_json(old_token) == CONTENT  # old records stay readable
    rotated = during_rotation.rotate(old_token)
    after_rotation = ContentCipher([new_key])  # the old key can now be dropped
    assert after_rotation.decrypt_json(rotated) == CONTENT
    with pytest.raises(ContentUnreadable):
        after_rotation.decrypt_json(old_token)


def test_keys_come_from_settings_newest_first():
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    cipher = ContentCipher.from_settings(settings(ENCRYPTION_KEYS=f" {new_key} , {old_key} ,"))
    token = cipher.encrypt_json(CONTENT)
    assert ContentCipher([new_key]).decrypt_json(token) == CONTENT


def test_production_without_a_key_refuses_to_start(tmp_path):
    with pytest.raises(EncryptionKeyMissing, match="Refusing to start.*ENCRYPTION_KEYS"):
        ContentCipher.from_settings(
            settings(ENVIRONMENT="production", ENCRYPTION_KEYS=""), dev_key_path=tmp_path / "key"
        )
    assert not (tmp_path / "key").exists()


def test_a_bad_key_is_reported_without_echoing_it():
    with pytest.raises(EncryptionKeyInvalid) as error:
        ContentCipher.from_settings(settings(ENCRYPTION_KEYS="not-a-real-key-but-secret-ish"))
    assert "entry 1" in str(error.value) and "secret-ish" not in str(error.value)


def test_development_generates_a_private_key_once_and_warns(tmp_path, caplog):
    key_path = tmp_path / "var" / "dev-encryption.key"
    with caplog.at_level(logging.WARNING, logger="bot.persistence.crypto"):
        first = ContentCipher.from_settings(settings(ENCRYPTION_KEYS=""), dev_key_path=key_path)
    assert "ENCRYPTION_KEYS is not set" in caplog.text
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    token = first.encrypt_json(CONTENT)
    assert b"Jayden" not in token
    second = ContentCipher.from_settings(settings(ENCRYPTION_KEYS=""), dev_key_path=key_path)
    assert second.decrypt_json(token) == CONTENT  # same key after a restart
    assert [path.name for path in key_path.parent.iterdir()] == ["dev-encryption.key"]


def test_tampered_content_is_rejected():
    cipher = ContentCipher([Fernet.generate_key().decode()])
    token = bytearray(cipher.encrypt_json(CONTENT))
    token[40] ^= 1
    with pytest.raises(ContentUnreadable):
        cipher.decrypt_json(bytes(token))

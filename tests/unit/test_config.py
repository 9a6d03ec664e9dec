from __future__ import annotations

import base64
import secrets

import pytest

from amazon_jobs.clock import ScaledClock, SystemClock, VirtualClock
from amazon_jobs.config import load_settings
from amazon_jobs.crypto import Cipher, generate_key
from amazon_jobs.domain.limits import Operation
from amazon_jobs.errors import ConfigError


def test_defaults(tmp_path):
    settings = load_settings(environ={"AMAZON_JOBS_HOME": str(tmp_path)})
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'amazon-jobs.db'}"
    assert isinstance(settings.make_clock(), SystemClock)
    assert settings.operation_limits()[Operation.CREATE_FEED].burst == 15


def test_file_then_environment_then_overrides(tmp_path):
    config = tmp_path / "amazon-jobs.toml"
    config.write_text(
        'limits_profile = "seed"\nfeed_max_messages = 100\nclock = "scaled"\nclock_scale = 5\n'
        "[limits.createFeed]\nburst = 3\n"
    )
    env = {"AMAZON_JOBS_CONFIG": str(config), "AMAZON_JOBS_FEED_MAX_MESSAGES": "200"}
    settings = load_settings(environ=env, poll_first_s=1.5)
    assert settings.limits_profile == "seed" and settings.feed_max_messages == 200
    assert settings.poll_first_s == 1.5
    assert settings.operation_limits()[Operation.CREATE_FEED].burst == 3
    assert settings.operation_limits()[Operation.GET_ORDERS].burst == 6
    clock = settings.make_clock()
    assert isinstance(clock, ScaledClock) and clock.scale == 5
    assert isinstance(load_settings(environ={}, clock="virtual").make_clock(), VirtualClock)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AMAZON_JOBS_FEED_MAX_MESSAGES": "30000"}, "feed_max_messages"),
        ({"AMAZON_JOBS_CLOCK": "sundial"}, "clock"),
        ({"AMAZON_JOBS_LIMITS_PROFILE": "mws"}, "unknown limits profile"),
    ],
)
def test_invalid_settings_say_which_and_why(env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=env)


def test_secret_key_never_shows(tmp_path):
    settings = load_settings(environ={"AMAZON_JOBS_SECRET_KEY": "hunter2-passphrase"})
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings.model_dump())


def test_cipher_roundtrip_with_keys_of_keygens_format():
    keys = (
        generate_key(),
        secrets.token_hex(32),
        base64.b64encode(secrets.token_bytes(48)).decode(),
    )
    for key in keys:
        cipher = Cipher(key)
        token = cipher.encrypt("Atzr|refresh")
        assert "Atzr" not in token
        assert cipher.decrypt(token).get_secret_value() == "Atzr|refresh"
        assert key not in repr(cipher)
    with pytest.raises(ConfigError, match="AMAZON_JOBS_SECRET_KEY"):
        Cipher(None)
    with pytest.raises(ConfigError, match="not the key they were saved with"):
        Cipher(generate_key()).decrypt(Cipher(keys[0]).encrypt("x"))


@pytest.mark.parametrize(
    "key",
    [
        "x",  # (too short to look for in the message)
        "a long passphrase of several words, as keys used to be allowed",
        "A" * 44,  # the right length, not random
        "ab" * 32,  # hex, not random
        secrets.token_hex(16),  # random, but 16 bytes
        generate_key()[:-4],
    ],
    # Ids that do not change between runs (xdist workers must collect the same tests).
    ids=["one-char", "passphrase", "not-random", "hex", "16-bytes", "cut-keygen-key"],
)
def test_keys_not_of_keygens_format_are_refused_clearly(key):
    with pytest.raises(ConfigError) as refused:
        Cipher(key)
    message = str(refused.value)
    assert "amazon-jobs keygen" in message and "keys rotate" in message
    assert len(key) < 5 or key not in message
    with pytest.raises(ConfigError, match="is not a key from `amazon-jobs keygen`"):
        load_settings(environ={}, secret_key=key).require_secret_key("amazon-jobs worker")

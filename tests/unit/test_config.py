from __future__ import annotations

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


def test_cipher_roundtrip_with_passphrase_or_fernet_key():
    for key in ("a long passphrase", generate_key()):
        cipher = Cipher(key)
        token = cipher.encrypt("Atzr|refresh")
        assert "Atzr" not in token
        assert cipher.decrypt(token).get_secret_value() == "Atzr|refresh"
        assert key not in repr(cipher)
    with pytest.raises(ConfigError, match="AMAZON_JOBS_SECRET_KEY"):
        Cipher(None)
    with pytest.raises(ConfigError, match="not the key they were saved with"):
        Cipher("other key").decrypt(Cipher("a long passphrase").encrypt("x"))

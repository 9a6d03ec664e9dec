"""Settings that guard the credentials and the logins: the secret key, demo mode, reprs."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from amazon_jobs.amazon.auth import LwaAuth, LwaCredentials
from amazon_jobs.clock import VirtualClock
from amazon_jobs.config import load_settings
from amazon_jobs.crypto import Cipher
from amazon_jobs.errors import ConfigError
from amazon_jobs.store.accounts import AccountSpec

SECRET_KEY = "-DFlSsrgsZQdlHgSx9j9uVRO6ghDHd1G97VCmr9Kkds="
CLIENT_SECRET = "unit-Distinctive-Client-Secret-77aa"
REFRESH_TOKEN = "Atzr|unit-Distinctive-Refresh-Token-91ce"


def test_demo_mode_cannot_come_from_the_environment(tmp_path):
    for value in ("true", "1", "false"):
        with pytest.raises(ConfigError) as refused:
            load_settings(environ={"AMAZON_JOBS_HOME": str(tmp_path), "AMAZON_JOBS_DEMO": value})
        assert "AMAZON_JOBS_DEMO is not a setting" in str(refused.value)
        assert "unset it" in str(refused.value)


def test_demo_mode_cannot_come_from_the_configuration_file(tmp_path):
    config = tmp_path / "amazon-jobs.toml"
    config.write_text("demo = true\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"AMAZON_JOBS_CONFIG": str(config)})
    assert "demo is not a setting of the configuration file" in str(refused.value)
    # Only the demo itself switches it on, in code.
    assert load_settings(environ={}, demo=True).demo is True
    assert load_settings(environ={}).demo is False


def test_the_login_settings_come_from_file_and_environment(tmp_path):
    config = tmp_path / "amazon-jobs.toml"
    config.write_text("session_idle_s = 600\nlogin_max_failures = 3\n", encoding="utf-8")
    env = {"AMAZON_JOBS_CONFIG": str(config), "AMAZON_JOBS_LOGIN_WINDOW_S": "60"}
    settings = load_settings(environ=env)
    assert settings.session_idle_s == 600 and settings.login_max_failures == 3
    assert settings.login_window_s == 60 and settings.login_max_failures_per_address == 20
    with pytest.raises(ConfigError, match="login_max_failures"):
        load_settings(environ={"AMAZON_JOBS_LOGIN_MAX_FAILURES": "0"})


@pytest.mark.parametrize("key", [None, "", "   "])
def test_no_secret_key_is_refused_with_what_to_do(key):
    settings = load_settings(environ={}, secret_key=key)
    with pytest.raises(ConfigError) as refused:
        settings.require_secret_key("amazon-jobs worker")
    message = str(refused.value)
    assert message.startswith("amazon-jobs worker needs the secret key")
    assert "AMAZON_JOBS_SECRET_KEY" in message and "amazon-jobs keygen" in message
    # The demo makes its own key, and is the one exception.
    load_settings(environ={}, secret_key=key, demo=True).require_secret_key("the demo")
    load_settings(environ={}, secret_key=SECRET_KEY).require_secret_key("amazon-jobs worker")


def test_reprs_show_no_secret():
    settings = load_settings(environ={"AMAZON_JOBS_SECRET_KEY": SECRET_KEY})
    credentials = LwaCredentials(
        "https://api.amazon.com/auth/o2/token",
        "amzn1.application-oa2-client.x",
        SecretStr(CLIENT_SECRET),
        SecretStr(REFRESH_TOKEN),
    )
    spec = AccountSpec(
        name="us",
        seller_id="A1",
        region="na",
        marketplace_id="ATVPDKIKX0DER",
        lwa_client_id="amzn1.application-oa2-client.x",
        lwa_client_secret=SecretStr(CLIENT_SECRET),
        refresh_token=SecretStr(REFRESH_TOKEN),
    )
    shown = [
        repr(settings),
        str(settings),
        repr(settings.model_dump()),
        repr(credentials),
        str(credentials),
        repr(LwaAuth(credentials, VirtualClock())),
        repr(spec),
        str(spec),
        repr(Cipher(settings.secret_key)),
    ]
    for text in shown:
        for secret in (SECRET_KEY, CLIENT_SECRET, REFRESH_TOKEN):
            assert secret not in text, text


def test_a_wrong_key_is_named_but_not_shown():
    stored = Cipher(SECRET_KEY).encrypt(CLIENT_SECRET)
    other_key = "c8M27a1mCWjyGnwAVbB5FDn_mmG35r_qs4Vs9Yzm1a8="
    with pytest.raises(ConfigError) as refused:
        Cipher(other_key).decrypt(stored)
    message = str(refused.value)
    assert "AMAZON_JOBS_SECRET_KEY is not the key they were saved with" in message
    for secret in (SECRET_KEY, other_key, CLIENT_SECRET, stored):
        assert secret not in message
    assert CLIENT_SECRET not in stored and Cipher(SECRET_KEY).decrypt(
        stored
    ).get_secret_value() == (CLIENT_SECRET)

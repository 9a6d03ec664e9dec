"""``amazon-jobs keys``: the secret key that encrypts the Amazon credentials."""

from __future__ import annotations

import os

import typer

from amazon_jobs.cli.common import console, friendly_errors, runtime, settings
from amazon_jobs.config import ENV_PREFIX
from amazon_jobs.crypto import KEY_FORMAT, Cipher, is_valid_key, legacy_cipher
from amazon_jobs.errors import ConfigError
from amazon_jobs.store.key_rotation import rotate_key

app = typer.Typer(help="The secret key that encrypts the Amazon credentials.", no_args_is_help=True)

NEW_KEY_ENV = f"{ENV_PREFIX}NEW_SECRET_KEY"


@app.command("rotate")
@friendly_errors
def rotate() -> None:
    """Re-encrypt every account's credentials under a new key, in one transaction.

    The old key is AMAZON_JOBS_SECRET_KEY (a passphrase of before keys had to be
    random is read too); the new one is AMAZON_JOBS_NEW_SECRET_KEY, or typed at the
    prompt. Stop serve, worker and scheduler first; start them again with the new key.
    """
    old_raw = settings().secret_key
    old_key = old_raw.get_secret_value().strip() if old_raw else ""
    if not old_key:
        raise ConfigError(
            f"set {ENV_PREFIX}SECRET_KEY to the key the accounts are encrypted with now"
        )
    new_key = (os.environ.get(NEW_KEY_ENV) or "").strip() or typer.prompt(
        "New secret key (from `amazon-jobs keygen`)", hide_input=True
    ).strip()
    if not is_valid_key(new_key):
        raise ConfigError(f"the new key is not {KEY_FORMAT}")
    if new_key == old_key:
        raise ConfigError("the new key is the old one: create one with `amazon-jobs keygen`")
    old = Cipher(old_key) if is_valid_key(old_key) else legacy_cipher(old_key)
    with runtime() as rt, rt.db.transaction() as session:
        count = rotate_key(session, old, Cipher(new_key))
    console.print(
        f"{count} account(s) re-encrypted under the new key. Set {ENV_PREFIX}SECRET_KEY to "
        "it (the old key no longer decrypts them) and start serve, worker and scheduler again."
    )

"""Who may call: the webservice key from HTTP Basic (user name) or ``ws_key``, and what it
may do (``WebserviceRequest::authenticate``, ``webservice/dispatcher.php``)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from amazon_jobs.shop_simulator.config import ShopSimulatorConfig
from amazon_jobs.shop_simulator.errors import RawAnswer, WsError

__all__ = ["REALM", "Permissions", "authenticate"]

REALM = (
    'Basic realm="Welcome to PrestaShop Webservice, please enter the authentication key '
    'as the login. No password required."'
)
#: resource → methods, or None for a key that may do everything.
Permissions = Mapping[str, tuple[str, ...]] | None


def _basic_user(header: str) -> str | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""
    return decoded.partition(":")[0]


def authenticate(
    config: ShopSimulatorConfig, headers: Mapping[str, str], params: Mapping[str, str]
) -> Permissions:
    """The permissions of the request's key; 401 answers when there is none that works."""
    key = _basic_user(headers.get("authorization", ""))
    if key is None:
        key = params.get("ws_key")
    if key is None:
        raise RawAnswer(401, "401 Unauthorized")
    if key == "":
        raise WsError(401, (17, "Authentication key is empty"))
    if len(key) != 32:
        raise WsError(401, (18, "Invalid authentication key format"))
    if key == config.key:
        return None
    if key in config.limited_keys and key not in config.disabled_keys:
        return config.limited_keys[key]
    raise WsError(
        401,
        (20, "Authentification key is not active"),
        (21, "No permission for this authentication key"),
    )

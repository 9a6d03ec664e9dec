"""How a request ends other than with a resource: PrestaShop's error answers.

- :class:`WsError`: the webservice's own ``<errors>`` body with codes and messages
  (``WebserviceRequest::setError``), in the request's output format;
- :class:`RawAnswer`: what PrestaShop answers outside that mechanism: an empty body
  (GET of an unknown id → 404; a PHP fatal → 500), or ``die()`` text with HTTP 200.
"""

from __future__ import annotations

__all__ = ["RawAnswer", "WsError"]


class WsError(Exception):
    """An answer with ``<errors>``: HTTP *status* and (code, message) pairs."""

    def __init__(self, status: int, *errors: tuple[int, str]) -> None:
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.errors = errors


class RawAnswer(Exception):
    """An answer that is not a webservice body: *text* (maybe empty) with *status*."""

    def __init__(self, status: int, text: str = "") -> None:
        super().__init__(f"{status}: {text}")
        self.status = status
        self.text = text

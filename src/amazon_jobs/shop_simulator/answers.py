"""An answer to a webservice request: status, body and PrestaShop's headers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

__all__ = ["JSON_TYPE", "XML_TYPE", "Answer"]

XML_TYPE = "text/xml;charset=utf-8"
JSON_TYPE = "application/json"


@dataclass(slots=True)
class Answer:
    """What goes back to the client."""

    status: int
    body: str = ""
    content_type: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def sha1(self) -> str:
        """``Content-Sha1`` of the body."""
        return hashlib.sha1(self.body.encode("utf-8"), usedforsecurity=False).hexdigest()

"""Request bodies: raw XML whatever the Content-Type, parsed with defusedxml.

A leading ``xml=`` (old clients posting a form) is stripped without URL-decoding,
as ``webservice/dispatcher.php`` does. Values may be CDATA or plain text; the
``xlink`` namespace declaration is optional. Unparsable XML is 500 code 127.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from amazon_jobs.shop_simulator.errors import WsError

__all__ = ["PostedEntity", "parse_entities"]


@dataclass(slots=True)
class PostedEntity:
    """One entity of a body: its scalar values, multilang values and associations."""

    tag: str
    values: dict[str, str] = field(default_factory=dict)
    lang_values: dict[str, dict[int, str]] = field(default_factory=dict)
    associations: dict[str, list[dict[str, str]]] = field(default_factory=dict)


def parse_entities(raw: bytes) -> list[PostedEntity]:
    """The entities of the body *raw*, in order."""
    text = raw.decode("utf-8", errors="replace")
    if text.startswith("xml="):
        text = text[4:]
    try:
        root = fromstring(text.strip().encode("utf-8"))
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise WsError(500, (127, f"XML error : {exc}\n{text[:2000]}")) from None
    return [_entity(child) for child in root]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _entity(element: Element) -> PostedEntity:
    entity = PostedEntity(_local(element.tag))
    for child in element:
        name = _local(child.tag)
        if name == "associations":
            for assoc in child:
                entity.associations[_local(assoc.tag)] = [
                    {_local(sub.tag): (sub.text or "").strip() for sub in item} for item in assoc
                ]
            continue
        languages = [sub for sub in child if _local(sub.tag) == "language"]
        if languages:
            entity.lang_values[name] = {
                int(sub.get("id", "0") or 0): sub.text or "" for sub in languages
            }
        else:
            entity.values[name] = child.text or ""
    return entity

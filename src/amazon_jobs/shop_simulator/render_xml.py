"""Answers as PrestaShop's ``WebserviceOutputXML`` writes them.

Every value in ``<![CDATA[…]]>``; foreign keys and multilang values carry an
``xlink:href``; a list without ``display`` holds one empty element per entity;
errors are ``<errors><error><code>…</code><message>…</message></error></errors>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from xml.sax.saxutils import quoteattr

from amazon_jobs.shop_simulator.schema import Field, Resource
from amazon_jobs.shop_simulator.view import EntityView

__all__ = ["xml_document", "xml_entity", "xml_errors", "xml_index", "xml_list", "xml_schema"]

_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<prestashop xmlns:xlink="http://www.w3.org/1999/xlink">\n'
_TAIL = "</prestashop>\n"


def cdata(value: str) -> str:
    """*value* in a CDATA section (a ``]]>`` inside is split, as PHP's DOM does)."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def xml_document(body: str) -> str:
    """*body* inside the ``<prestashop>`` envelope."""
    return _HEAD + body + _TAIL


def _href(api: str, resource: str, value: str) -> str:
    return f" xlink:href={quoteattr(f'{api}{resource}/{value}')}"


def _field(api: str, fld: Field | None, value: str | dict[int, str]) -> str:
    if fld is None:
        return f"\t<id>{cdata(str(value))}</id>\n"
    if isinstance(value, dict):
        inner = "".join(
            f'<language id="{lang}"{_href(api, "languages", str(lang))}>{cdata(text)}</language>'
            for lang, text in value.items()
        )
        return f"\t<{fld.name}>{inner}</{fld.name}>\n"
    attrs = ' notFilterable="true"' if fld.computed else ""
    if fld.fk and value not in ("", "0"):
        attrs += _href(api, fld.fk, value)
    return f"\t<{fld.name}{attrs}>{cdata(value)}</{fld.name}>\n"


def xml_entity(api: str, view: EntityView) -> str:
    """One ``<product>`` element with its fields and associations."""
    parts = [f"<{view.resource.singular}>\n"]
    parts += [_field(api, fld, value) for fld, value in view.fields]
    if view.associations is not None:
        parts.append("<associations>\n")
        for assoc, items in view.associations:
            kind = f'api="{assoc.api}"' if assoc.api else 'virtualEntity="true"'
            head = f'<{assoc.name} nodeType="{assoc.node_type}" {kind}'
            if not items:
                parts.append(head + "/>\n")
                continue
            parts.append(head + ">\n")
            for item in items:
                link = _href(api, assoc.api, item["id"]) if assoc.api and "id" in item else ""
                inner = "".join(f"\t<{k}>{cdata(v)}</{k}>\n" for k, v in item.items())
                parts.append(f"\t<{assoc.node_type}{link}>\n{inner}\t</{assoc.node_type}>\n")
            parts.append(f"</{assoc.name}>\n")
        parts.append("</associations>\n")
    parts.append(f"</{view.resource.singular}>\n")
    return "".join(parts)


def xml_list(
    api: str, resource: Resource, ids: Sequence[int], views: Iterable[EntityView] | None
) -> str:
    """A ``<products>`` list: empty elements with links, or full ones when *views*."""
    if views is not None:
        inner = "".join(xml_entity(api, view) for view in views)
    else:
        inner = "".join(
            f'<{resource.singular} id="{i}"{_href(api, resource.name, str(i))}/>\n' for i in ids
        )
    return xml_document(f"<{resource.name}>\n{inner}</{resource.name}>\n")


def xml_errors(errors: Iterable[tuple[int, str]]) -> str:
    """The ``<errors>`` document."""
    inner = "".join(
        f"<error>\n<code>{cdata(str(code))}</code>\n<message>{cdata(message)}</message>\n</error>\n"
        for code, message in errors
    )
    return xml_document(f"<errors>\n{inner}</errors>\n")


def xml_index(
    api: str, shop_name: str, resources: Iterable[tuple[Resource, frozenset[str]]]
) -> str:
    """The resource index of ``GET /api/``: what this key may use."""
    parts = [f"<api shopName={quoteattr(shop_name)}>\n"]
    for resource, methods in resources:
        flags = " ".join(
            f'{m.lower()}="{"true" if m in methods else "false"}"'
            for m in ("GET", "PUT", "POST", "PATCH", "DELETE", "HEAD")
        )
        link = f"{api}{resource.name}"
        parts.append(
            f"<{resource.name} xlink:href={quoteattr(link)} {flags}>\n"
            f"<description xlink:href={quoteattr(link)} {flags}>"
            f"{resource.description}</description>\n"
            f'<schema xlink:href={quoteattr(link + "?schema=blank")} type="blank"/>\n'
            f'<schema xlink:href={quoteattr(link + "?schema=synopsis")} type="synopsis"/>\n'
            f"</{resource.name}>\n"
        )
    parts.append("</api>\n")
    return xml_document("".join(parts))


def xml_schema(api: str, resource: Resource, synopsis: bool, languages: Sequence[int]) -> str:
    """``?schema=blank`` (writable fields, empty) or ``?schema=synopsis`` (with formats)."""
    parts = [f"<{resource.singular}>\n"]
    if not synopsis:
        parts.append("\t<id></id>\n")
    for fld in resource.fields:
        if fld.read_only and not synopsis:
            continue
        attrs = _synopsis_attrs(fld) if synopsis else ""
        if fld.lang:
            fmt = ' format="isUnsignedId"' if synopsis else ""
            inner = "".join(
                f'<language id="{lang}"{_href(api, "languages", str(lang))}{fmt}></language>'
                for lang in languages
            )
            parts.append(f"\t<{fld.name}{attrs}>{inner}</{fld.name}>\n")
        else:
            parts.append(f"\t<{fld.name}{attrs}></{fld.name}>\n")
    if resource.associations:
        parts.append("<associations>\n")
        for assoc in resource.associations:
            kind = f'api="{assoc.api}"' if assoc.api else 'virtualEntity="true"'
            inner = "".join(f"\t<{k}></{k}>\n" for k in assoc.fields)
            parts.append(
                f'<{assoc.name} nodeType="{assoc.node_type}" {kind}>\n'
                f"\t<{assoc.node_type}>\n{inner}\t</{assoc.node_type}>\n</{assoc.name}>\n"
            )
        parts.append("</associations>\n")
    parts.append(f"</{resource.singular}>\n")
    return xml_document("".join(parts))


def _synopsis_attrs(fld: Field) -> str:
    attrs = ""
    if fld.required:
        attrs += ' required="true"'
    if fld.max_size:
        attrs += f' maxSize="{fld.max_size}"'
    if fld.validator:
        attrs += f' format="{fld.validator}"'
    if fld.read_only:
        attrs += ' readOnly="true" read_only="true"'
    return attrs

"""Resource and field descriptions, read from compact text tables.

Each resource is written as PrestaShop's ``$definition`` + ``$webserviceParameters``
merge gives it (``ObjectModel::getWebserviceParameters``), one field a line::

    price float isPrice req
    name str isCatalogName lang max=128
    id_category_default int isUnsignedId fk=categories

Flags: ``req`` required on POST/PUT, ``lang`` multilang, ``ro`` read-only (400/93 when
sent), ``computed`` (a getter: not filterable, ``notFilterable="true"``), ``fk=res``
(rendered with an ``xlink:href`` to that resource), ``max=N`` (the maximum size).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DEFAULTS", "Association", "Field", "Resource", "parse_fields"]

#: What a column holds when nothing was written, as MySQL renders it.
DEFAULTS = {
    "int": "0",
    "float": "0.000000",
    "bool": "0",
    "date": "0000-00-00 00:00:00",
    "str": "",
}


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a resource."""

    name: str
    kind: str
    validator: str | None = None
    required: bool = False
    lang: bool = False
    read_only: bool = False
    computed: bool = False
    fk: str | None = None
    max_size: int | None = None

    @property
    def default(self) -> str:
        """The stored value of a field never written."""
        return DEFAULTS[self.kind]

    @property
    def is_date(self) -> bool:
        """``date_add``/``date_upd``: filterable and sortable only with ``date=1``."""
        return self.name in ("date_add", "date_upd")


@dataclass(frozen=True, slots=True)
class Association:
    """One ``<associations>`` child, e.g. ``combinations`` of ``<combination>`` items."""

    name: str
    node_type: str
    fields: tuple[str, ...]
    #: Resource the items link to (``api="…"``); None for virtual ones (order rows).
    api: str | None
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class Resource:
    """One webservice resource (``products``) and its entity element (``product``)."""

    name: str
    singular: str
    description: str
    fields: tuple[Field, ...]
    associations: tuple[Association, ...] = ()
    methods: frozenset[str] = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
    class_name: str = ""
    by_name: dict[str, Field] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_name.update({f.name: f for f in self.fields})

    def association(self, name: str) -> Association | None:
        """The association called *name*, if the resource has one."""
        return next((a for a in self.associations if a.name == name), None)


def parse_fields(table: str) -> tuple[Field, ...]:
    """Fields from one line each: ``name kind [validator] [flags]``."""
    fields = []
    for line in table.strip().splitlines():
        name, kind, *rest = line.split()
        if kind not in DEFAULTS:
            raise ValueError(f"unknown kind {kind!r} for {name}")
        options = dict(item.split("=", 1) for item in rest if "=" in item)
        flags = {item for item in rest if "=" not in item}
        validator = next((item for item in flags if item.startswith(("is", "Is"))), None)
        max_size = options.get("max")
        fields.append(
            Field(
                name=name,
                kind=kind,
                validator=validator,
                required="req" in flags,
                lang="lang" in flags,
                read_only="ro" in flags,
                computed="computed" in flags,
                fk=options.get("fk"),
                max_size=int(max_size) if max_size else None,
            )
        )
    return tuple(fields)

"""Help screens that show a value's type only for options that take a value.

Typer's rich help (0.29) prints a type for every option, flags included:
``--until-idle  <bool>``, ``--help  <bool>``, although a flag takes no value and
``--until-idle true`` is an error. :func:`hide_flag_types` makes a flag show no
type, as the plain help already does; ``tests/acceptance/test_cli.py`` reads every
command's help for ``<bool>``, so a Typer that changes this is noticed.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperOption

__all__ = ["hide_flag_types"]


def hide_flag_types() -> None:
    """Make every flag's help show no type placeholder (idempotent)."""
    shown = TyperOption.display_type_rich
    if getattr(shown, "_hides_flags", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        if self.is_flag and not self.count:
            return None
        return shown(self, ctx)

    display_type_rich._hides_flags = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]

"""Writing a tab-separated report document, as Amazon's flat-file reports come.

A header row, then one line per row, encoded in the marketplace's report
charset (``simulator.common.locales``: Cp1252 with ``?`` for what it cannot
hold in Europe, UTF-8 elsewhere) and streamed in blocks into the gzip writer,
so a seller with a million listings never has the whole text in memory: only
the compressed document is kept. A report without a single row is not
written: Amazon cancels a report that has no data [reports_2021-06-30.json,
``processingStatus`` CANCELLED].
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from amazon_jobs.simulator.common.locales import Locale

__all__ = ["RenderedReport", "flat", "plain_price", "write_report"]

_BLOCK_ROWS = 5_000
_GZIP_LEVEL = 6
_FLAT = str.maketrans({"\t": " ", "\r": " ", "\n": " "})


@dataclass(frozen=True, slots=True)
class RenderedReport:
    """A finished document."""

    content: bytes
    content_type: str
    compressed: bool
    rows: int


def write_report(
    header: Sequence[str], lines: Iterable[str], locale: Locale, *, compress: bool
) -> RenderedReport | None:
    """The document of *header* and *lines* (each ending in a line break), or None
    when there is no line."""
    buffer = io.BytesIO()
    sink: io.BufferedIOBase = buffer
    if compress:
        sink = gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=_GZIP_LEVEL)
    codec = locale.codec
    rows = 0
    block = ["\t".join(header) + "\n"]
    for line in lines:
        block.append(line)
        rows += 1
        if len(block) >= _BLOCK_ROWS:
            sink.write("".join(block).encode(codec, "replace"))
            block.clear()
    sink.write("".join(block).encode(codec, "replace"))
    if sink is not buffer:
        sink.close()
    if rows == 0:
        return None
    content_type = f"text/plain; charset={locale.charset}"
    return RenderedReport(buffer.getvalue(), content_type, compress, rows)


def flat(text: str) -> str:
    """*text* fit for one cell: no tab or line break."""
    return text.translate(_FLAT)


def plain_price(price: Decimal | None) -> str:
    """A price as the reports write it: 20, 0.02, 39.95 (no trailing zeros); empty for none."""
    if price is None:
        return ""
    text = f"{price:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text

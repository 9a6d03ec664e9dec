"""The latest results under ``bench/results/`` as Markdown, for the README.

    python -m bench.report

One table per benchmark, in the order ``make bench`` runs them, each with the
machine it ran on and when.
"""

from __future__ import annotations

import json
from typing import Any

from bench.common import RESULTS, fmt

ORDER = (
    "quota",
    "peers",
    "feeds_used",
    "freshness",
    "local_work",
    "engine",
    "aged_step",
    "dashboard",
    "capacity",
)


def markdown(result: dict[str, Any]) -> str:
    headers = [str(h) for h in result["headers"]]
    lines = [
        f"**{result['title']}** — {result['machine']}, {result['at'][:10]}",
        "",
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += _rows(result["rows"])
    goals = result.get("goals")
    if goals:  # bench.engine: each goal of issue 17, before and after, met or not
        lines += ["", "| " + " | ".join(goals["headers"]) + " |"]
        lines += ["|" + "|".join("---" for _ in goals["headers"]) + "|", *_rows(goals["rows"])]
    return "\n".join(lines)


def _rows(rows: list[list[Any]]) -> list[str]:
    return ["| " + " | ".join(fmt(cell) for cell in row) + " |" for row in rows]


def main() -> None:
    names = [name for name in ORDER if (RESULTS / f"{name}.json").exists()]
    for name in names:
        result = json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
        print(f"`python -m bench.{name}`\n")
        print(markdown(result))
        print()


if __name__ == "__main__":
    main()

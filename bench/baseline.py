"""The product's source at an earlier git revision, for benches that measure before and after.

    tree = baseline_tree("aa8bc8d")  # /tmp/aj_baseline/aa8bc8d/src/amazon_jobs/...
    subprocess.run([...], env=code_env(tree / "src"))

``git archive REV src`` is exported once per commit under ``/tmp/aj_baseline/`` and reused.
A process started with :func:`code_env` imports ``amazon_jobs`` from the given ``src``
(``PYTHONPATH`` comes before the editable install's ``.pth`` entry) and ``bench`` from this
tree; the worker processes it starts inherit the same environment, hence the same code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: The working tree's own source, the "after" of a comparison.
CURRENT_SRC = REPO / "src"
CACHE = Path(tempfile.gettempdir()) / "aj_baseline"


def commit_of(rev: str) -> str:
    """The abbreviated hash of *rev* (stable across runs, unlike ``HEAD``)."""
    out = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "--verify", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def baseline_tree(rev: str) -> Path:
    """A directory holding ``src/`` as it was at *rev*, exported on first use."""
    commit = commit_of(rev)
    root = CACHE / commit
    if (root / "COMMIT").exists():
        return root
    CACHE.mkdir(parents=True, exist_ok=True)
    part = Path(tempfile.mkdtemp(prefix=f".{commit}-", dir=CACHE))
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, "src"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(part)], input=archive.stdout, check=True)
    (part / "COMMIT").write_text(commit + "\n", encoding="utf-8")
    try:
        part.rename(root)
    except OSError:  # exported meanwhile by another run
        shutil.rmtree(part)
    return root


def code_env(src: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """*base* (the environment by default) with ``amazon_jobs`` imported from *src*."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join([str(src), str(REPO)])
    return env


def check_origin(module_file: str | None, src: Path) -> Path:
    """The directory a module was imported from, which must lie under *src*."""
    assert module_file is not None, "amazon_jobs has no __file__"
    package = Path(module_file).resolve().parent
    assert package.is_relative_to(src.resolve()), f"amazon_jobs from {package}, not {src}"
    return package

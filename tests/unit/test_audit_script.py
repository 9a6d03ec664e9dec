"""`make audit` (requirements/audit.sh) never passes when it could not ask a database.

pip-audit itself exits 0 with "No known vulnerabilities" or a list of skipped packages when its
advisory database is out of reach or answers nothing; the script must turn each of those into a
clear message and exit 2. A stand-in pip-audit (an external tool, so a double is fair) plays each
database: down, empty, 404 for every package, healthy with and without advisories.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "requirements" / "audit.sh"

FAKE_PIP_AUDIT = r"""#!/usr/bin/env bash
out=""; req=""
while (($#)); do
  case "$1" in -o) out=$2; shift ;; -r) req=$2; shift ;; esac
  shift
done
canary() { [[ $req != *.lock ]]; }
case "$FAKE_DB" in
  down)
    echo "urllib3.exceptions.NameResolutionError: Failed to resolve 'advisories.invalid'" >&2
    exit 1 ;;
  empty)
    echo '{"dependencies": [{"name": "jinja2", "version": "2.10", "vulns": []}]}' >"$out"
    exit 0 ;;
  notfound)
    echo "jinja2: Dependency not found on PyPI and could not be audited: jinja2 (2.10)" >&2
    exit 1 ;;
  clean|vulns)
    if canary; then
      echo '{"dependencies": [{"name": "jinja2", "vulns": [{"id": "GHSA-x"}]}]}' >"$out"
      exit 1
    fi
    if [[ $FAKE_DB == vulns && $req == *runtime.lock ]]; then
      echo "Found 1 known vulnerability in 1 package"
      echo "starlette 0.40.0 GHSA-f96h-pmfr-66vw 0.40.0"
      exit 1
    fi
    echo "No known vulnerabilities found"
    exit 0 ;;
esac
exit 99
"""


def run_audit(tmp_path: Path, db: str) -> subprocess.CompletedProcess[str]:
    fake = tmp_path / "pip-audit"
    fake.write_text(FAKE_PIP_AUDIT)
    fake.chmod(0o755)
    env = {**os.environ, "PIP_AUDIT": str(fake), "FAKE_DB": db}
    locks = [str(ROOT / "requirements" / n) for n in ("runtime.lock", "dev.lock")]
    return subprocess.run(
        ["bash", str(SCRIPT), *locks], env=env, capture_output=True, text=True, timeout=30
    )


@pytest.mark.parametrize(
    ("db", "reason"),
    [
        ("down", "Failed to resolve 'advisories.invalid'"),
        ("empty", ""),
        ("notfound", "not found on PyPI and could not be audited"),
    ],
)
def test_an_unreachable_or_silent_database_fails_with_a_clear_message(tmp_path, db, reason):
    result = run_audit(tmp_path, db)
    assert result.returncode == 2
    assert "could not be reached or did not" in result.stderr
    assert "NOTHING WAS AUDITED" in result.stderr
    assert reason in result.stderr
    assert "No known vulnerabilities" not in result.stdout


def test_a_healthy_database_with_nothing_to_report_passes(tmp_path):
    result = run_audit(tmp_path, "clean")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("No known vulnerabilities found") == 2


def test_advisories_in_a_lock_fail_and_are_listed(tmp_path):
    result = run_audit(tmp_path, "vulns")
    assert result.returncode == 1
    assert "starlette 0.40.0 GHSA-f96h-pmfr-66vw" in result.stdout
    assert "advisories found" in result.stderr

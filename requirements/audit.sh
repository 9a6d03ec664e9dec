#!/usr/bin/env bash
# `make audit`: pip-audit against the lock files given as arguments.
#
# It first asks the advisory database about a canary (jinja2 2.10, which has published
# advisories): a database that cannot be reached, or that answers nothing for the canary, would
# otherwise let pip-audit report "No known vulnerabilities" or skip every package and still exit 0.
#
# Exit codes: 0 nothing known, 1 advisories found (listed above), 2 the advisory database could
# not be reached or did not answer properly: NOTHING WAS AUDITED.
# AUDIT_SERVICE=osv (default) or pypi picks pip-audit's database.
set -uo pipefail

pip_audit=${PIP_AUDIT:?PIP_AUDIT must name the pip-audit executable}
service=${AUDIT_SERVICE:-osv}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Why pip-audit could not reach or use the database, from its log, in one line.
reason_from() {
  grep -m1 -oE "Failed to resolve '[^']*'|Connection refused|timed out|Network is unreachable|Could not connect[^.]*|not found on PyPI and could not be audited|HTTPError[^)]*|[0-9]{3} (Client|Server) Error[^f]*" "$1" ||
    tail -n 1 "$1"
}

unreachable() {
  {
    echo "make audit: FAILED: the advisory database ($service) could not be reached or did not"
    echo "answer properly, so NOTHING WAS AUDITED."
    echo "  reason: $1"
    echo "  pip-audit needs network access to its advisory database; run \`make audit\` where it"
    echo "  has that (or try the other database: AUDIT_SERVICE=osv|pypi)."
  } >&2
  exit 2
}

echo "jinja2==2.10" >"$work/canary.txt"
"$pip_audit" --strict --disable-pip --no-deps --progress-spinner off -s "$service" \
  -r "$work/canary.txt" -f json -o "$work/canary.json" >"$work/canary.log" 2>&1
if ! grep -q '"id"' "$work/canary.json" 2>/dev/null; then
  unreachable "$(reason_from "$work/canary.log")"
fi
echo "make audit: the advisory database ($service) answers; auditing $*"

status=0
for lock in "$@"; do
  echo "--- $lock"
  "$pip_audit" --strict --disable-pip --require-hashes --progress-spinner off -s "$service" \
    -r "$lock" >"$work/out.log" 2>&1
  rc=$?
  if grep -qE "ConnectionError|NameResolutionError|Could not connect|could not be audited" \
    "$work/out.log"; then
    unreachable "$(reason_from "$work/out.log") (while auditing $lock)"
  fi
  grep -v "^WARNING:pip_audit" "$work/out.log"
  if ((rc != 0)); then
    status=1
  fi
done
if ((status != 0)); then
  echo "make audit: advisories found (above): raise the package's floor in pyproject.toml" >&2
  echo "  or run \`make lock UPGRADE=1\`, then \`make audit\` again." >&2
fi
exit $status

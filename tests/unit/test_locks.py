"""The hashed locks in requirements/ match pyproject.toml (issue 12, section 6).

`make` installs only from these locks, so a dependency added to pyproject.toml but not locked
(`make lock` not run), a pin below a floor, a pin without hashes or a runtime package locked at
two versions must fail here, before CI installs anything.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ROOT / "requirements"


def pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def parse_lock(path: Path) -> dict[str, tuple[Version, int]]:
    """name -> (pinned version, number of hashes) for the packages this machine would install."""
    pins: dict[str, tuple[Version, int]] = {}
    entries = path.read_text().replace("\\\n", " ").splitlines()
    for entry in entries:
        if not entry.strip() or entry.lstrip().startswith("#"):
            continue
        spec, *hashes = entry.split("--hash=")
        req = Requirement(spec.strip())
        if req.marker is not None and not req.marker.evaluate():
            continue
        (pin,) = req.specifier
        assert pin.operator == "==", entry
        pins[canonicalize_name(req.name)] = (Version(pin.version), len(hashes))
    return pins


def project_requirements(extra: str | None) -> list[Requirement]:
    project = pyproject()["project"]
    assert isinstance(project, dict)
    names = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    build = pyproject()["build-system"]
    assert isinstance(build, dict)
    return [Requirement(r) for r in [*names, *build["requires"]]]


@pytest.mark.parametrize(
    ("lock", "extras"),
    [("runtime.lock", [None]), ("dev.lock", [None, "dev"])],
)
def test_every_requirement_is_locked_within_its_bounds(lock, extras):
    pins = parse_lock(LOCKS / lock)
    for extra in extras:
        for req in project_requirements(extra):
            if req.marker is not None and not req.marker.evaluate():
                continue
            name = canonicalize_name(req.name)
            assert name in pins, f"{req.name} is not in {lock}: run `make lock`"
            version, _ = pins[name]
            assert req.specifier.contains(version, prereleases=True), (
                f"{lock} pins {req.name}=={version}, outside {req.specifier}: run `make lock`"
            )


@pytest.mark.parametrize("lock", ["runtime.lock", "dev.lock", "tools.lock"])
def test_every_pin_carries_hashes(lock):
    for name, (_, hashes) in parse_lock(LOCKS / lock).items():
        assert hashes >= 1, f"{name} in {lock} has no hash"


def test_dev_lock_keeps_the_runtime_versions():
    runtime = parse_lock(LOCKS / "runtime.lock")
    dev = parse_lock(LOCKS / "dev.lock")
    for name, (version, _) in runtime.items():
        assert dev[name][0] == version, f"{name}: {version} at run time, {dev[name][0]} in dev"


# name: (the first release past the advisories named in issue 12, the last one before it).
FLOORS = {
    "cryptography": ("46.0.5", "46.0.4"),
    "h11": ("0.16.0", "0.15.0"),
    "jinja2": ("3.1.6", "3.1.5"),
    "python-multipart": ("0.0.22", "0.0.21"),
    "starlette": ("0.49.1", "0.49.0"),
}


@pytest.mark.parametrize(("name", "fixed", "vulnerable"), [(n, *v) for n, v in FLOORS.items()])
def test_pyproject_floors_exclude_the_known_advisories(name, fixed, vulnerable):
    reqs = {canonicalize_name(r.name): r for r in project_requirements(None)}
    assert name in reqs, f"{name} needs its own floor in pyproject.toml"
    assert reqs[name].specifier.contains(fixed)
    assert not reqs[name].specifier.contains(vulnerable), f"{name} {vulnerable} is admitted"
    assert parse_lock(LOCKS / "runtime.lock")[name][0] >= Version(fixed)

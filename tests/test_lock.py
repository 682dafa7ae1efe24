"""requirements.lock (what `make` installs, pinned with hashes) agrees with pyproject.toml: every
requirement of the locked extras is pinned at a version it allows, and every pin has hashes.
After changing a dependency, `make lock` refreshes the lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
# What the lock is resolved for (Makefile: LOCK_EXTRAS, --python-version, --python-platform).
ENVIRONMENT = {"sys_platform": "linux", "platform_system": "Linux", "python_version": "3.11"}


def _locked() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of every pin in the lock."""
    pins: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=\S)", (ROOT / "requirements.lock").read_text(encoding="utf-8")):
        found = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", block)
        if found:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
            pins[canonicalize_name(found.group(1))] = (found.group(2), hashes)
    return pins


def _locked_extras() -> list[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(line for line in makefile.splitlines() if line.startswith("LOCK_EXTRAS"))
    return re.findall(r"--extra (\S+)", line)


def _required() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    texts = list(project["dependencies"])
    for extra in _locked_extras():
        texts += project["optional-dependencies"][extra]
    return [Requirement(text) for text in texts]


def test_every_requirement_is_pinned_at_an_allowed_version_with_hashes() -> None:
    pins = _locked()
    problems = []
    for requirement in _required():
        if requirement.marker is not None and not requirement.marker.evaluate(ENVIRONMENT):
            continue
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{requirement.name} is not in requirements.lock")
        elif not requirement.specifier.contains(pin[0], prereleases=True):
            problems.append(f"{requirement} but the lock pins {pin[0]}")
    unhashed = [name for name, (_version, hashes) in pins.items() if not hashes]
    assert not problems, "run `make lock`: " + "; ".join(problems)
    assert not unhashed, f"pins without hashes: {unhashed}"


def test_the_makefile_installs_from_the_lock_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip install --require-hashes -r $(LOCK)" in makefile
    assert "pip install --no-deps -e ." in makefile

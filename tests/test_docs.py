"""The repository explains itself: no file cites a design document kept outside it, and every
reference to a section of docs/ names a heading that exists (docs/architecture.md#layers)."""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Spelled in parts so this file does not match itself.
OUTSIDE_DOCUMENTS = re.compile("DES" + r"IGN(\.md| §)|" + "CONVEN" + "TIONS")
# "docs/rules.md#deadlines" in code, "(rules.md#deadlines)" inside docs/.
DOC_ANCHOR = re.compile(r"(?:docs/)?\b(architecture|rules|calendar-override)\.md#([a-z0-9-]+)")
TEXT_SUFFIXES = {".py", ".md", ".spec", ".toml", ".po", ".txt", ".mako", ".cfg", ".ini", ""}


def repo_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):  # not a checkout: walk the tree
        listed = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()]
    return [
        ROOT / name
        for name in listed
        if Path(name).suffix in TEXT_SUFFIXES and (ROOT / name).is_file()
    ]


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@cache
def anchors(document: str) -> frozenset[str]:
    path = ROOT / "docs" / f"{document}.md"
    headings = re.findall(r"^#{1,6}\s+(.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    return frozenset(slug(h) for h in headings)


def test_slug_follows_github() -> None:
    assert slug("Local store") == "local-store"
    assert slug("Start-up and composition") == "start-up-and-composition"


def test_no_file_cites_a_document_outside_the_repository() -> None:
    found = []
    for path in repo_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE_DOCUMENTS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "cite docs/ instead:\n" + "\n".join(found)


def test_every_docs_anchor_exists() -> None:
    broken = []
    for path in repo_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for match in DOC_ANCHOR.finditer(text):
            document, anchor = match.groups()
            if anchor not in anchors(document):
                broken.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not broken, "no such section:\n" + "\n".join(broken)

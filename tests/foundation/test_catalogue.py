"""English is the second language: every string the code marks for translation has one.

The catalogue is extracted again from a copy of the source tree (makemessages rewrites
the .po in place, so it never runs on the working tree), and the result must have no
untranslated and no fuzzy entry: a fuzzy entry is gettext's guess from a similar
string, shown to nobody, so the English page would fall back to Chinese.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".git", ".venv", "node_modules", "var", "tests", "static", "media"}
PO = Path("locale/en/LC_MESSAGES/django.po")

pytestmark = pytest.mark.skipif(
    shutil.which("msgattrib") is None, reason="gettext tools are not installed"
)


def _copy_tree(target: Path):
    for entry in ROOT.iterdir():
        if entry.name in SKIP or entry.name.startswith("."):
            continue
        if entry.is_dir():
            shutil.copytree(entry, target / entry.name, ignore=shutil.ignore_patterns("*.pyc"))
        else:
            shutil.copy2(entry, target / entry.name)


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, capture_output=True, text=True)


def test_every_marked_string_has_an_english_translation(tmp_path):
    _copy_tree(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "-v0"],
        cwd=tmp_path,
        check=True,
    )
    po = str(tmp_path / PO)
    # msgfmt counts "N translated messages[, F fuzzy translations][, U untranslated messages]."
    stats = _run("msgfmt", "--statistics", "-o", "/dev/null", po).stderr
    if "fuzzy" in stats or "untranslated" in stats:
        listed = _run("msgattrib", "--untranslated", "--no-obsolete", po).stdout
        listed += _run("msgattrib", "--only-fuzzy", "--no-obsolete", po).stdout
        pytest.fail(
            f"{stats.strip()} in {PO}: append the English by hand, then compilemessages.\n"
            + listed[:3000]
        )
    assert "translated messages" in stats, stats

"""The Danish catalogue is complete: no untranslated or fuzzy entry, and no string in the code that
the catalogue lacks (checked by extracting the strings afresh with GNU gettext)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

import kapabel

PACKAGE = Path(kapabel.__file__).parent
APPS = sorted(p.parent.name for p in PACKAGE.glob("*/apps.py"))


def catalogue(app: str) -> Path:
    return PACKAGE / app / "locale" / "da" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("app", APPS)
def test_catalogue_has_no_untranslated_or_fuzzy_entries(app):
    path = catalogue(app)
    assert path.exists(), f"{app} has no Danish catalogue: run `make messages`"
    po = polib.pofile(str(path))
    missing = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not missing, f"Untranslated in {path}: {missing}"
    assert not fuzzy, f"Fuzzy in {path}: {fuzzy}"


def test_catalogues_cover_every_string_in_the_code(tmp_path):
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext is needed in CI (apt-get install gettext)")
        pytest.skip("GNU gettext (xgettext) is not installed")
    # A copy of the app directories (makemessages rewrites catalogues in place). Copied into a
    # directory not named like the package, so Python still imports the real kapabel package.
    copy = tmp_path / "extract"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kapabel.settings"}
    problems = []
    for app in APPS:
        fresh_dir = copy / app
        subprocess.run(
            [
                sys.executable,
                "-P",
                "-m",
                "kapabel",
                "makemessages",
                "-l",
                "da",
                "--no-obsolete",
                "--no-location",
                "--ignore=migrations/*",
            ],
            cwd=fresh_dir,
            env=env,
            capture_output=True,
            text=True,
        ).check_returncode()
        fresh = {
            (e.msgctxt, e.msgid) for e in polib.pofile(str(fresh_dir / "locale/da/LC_MESSAGES/django.po"))
        }
        committed = {
            (e.msgctxt, e.msgid) for e in polib.pofile(str(catalogue(app))) if e.msgstr or e.msgstr_plural
        }
        absent = sorted(msgid for _ctx, msgid in fresh - committed)
        if absent:
            problems.append(f"{app}: {absent}")
    assert not problems, (
        "Strings missing from the Danish catalogue (run `make messages` and translate):\n"
        + "\n".join(problems)
    )

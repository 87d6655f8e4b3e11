"""Every page and message exists in the five languages, and the catalogues keep up with the code.

A string added to the code without its four translations fails here, not in front of a
Russian-speaking newcomer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

PROJECT_DIR = Path(settings.BASE_DIR).parent
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["ru", "fr", "pt_BR", "zh_Hans"]


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    po = catalogue(language)
    missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
    assert not missing, f"{len(missing)} messages untranslated in {language}: {missing[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_source(language):
    po = catalogue(language)
    mo = polib.mofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"))
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo
    }
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        expected = (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))
        assert compiled.get(key) == expected, (
            f"{language}: django.mo is older than django.po for {entry.msgid!r}; "
            "run compilemessages"
        )


@pytest.mark.skipif(
    shutil.which("xgettext") is None and os.environ.get("CI") != "true",
    reason="needs GNU gettext (apt-get install gettext); CI installs it",
)
def test_the_catalogues_hold_every_message_of_the_code(tmp_path):
    """makemessages on a copy of the code finds no message the committed catalogue lacks."""
    copy = tmp_path / "intercampus"
    shutil.copytree(
        settings.BASE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static")
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "--locale",
            "ru",
            "--no-obsolete",
            "--ignore",
            "*/tests/*",
        ],
        cwd=tmp_path,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "intercampus.settings",
            "PYTHONPATH": str(tmp_path),
        },
        check=True,
        capture_output=True,
        timeout=600,
    )
    fresh = {
        (e.msgctxt, e.msgid) for e in polib.pofile(str(copy / "locale/ru/LC_MESSAGES/django.po"))
    }
    committed = {(e.msgctxt, e.msgid) for e in catalogue("ru") if not e.obsolete}
    missing = sorted(m for _c, m in fresh - committed)
    assert not missing, f"{len(missing)} messages not in the catalogues yet: {missing[:10]}"

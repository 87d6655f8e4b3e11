"""``serve`` collects and compresses the static files once per set of sources."""

from __future__ import annotations

import os

import pytest
from django.test import override_settings

from intercampus.core.staticfiles import STAMP_NAME, collect_static_once


@pytest.fixture
def static_dirs(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "site.css").write_text("body { color: black; }")
    root = tmp_path / "collected"
    root.mkdir()
    storages = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STATICFILES_DIRS=[source], STATIC_ROOT=root, STORAGES=storages):
        yield source, root


def test_a_restart_does_not_collect_again(static_dirs):
    runs = []
    assert collect_static_once(lambda: runs.append(1)) is True
    assert collect_static_once(lambda: runs.append(1)) is False
    assert runs == [1]


def test_a_changed_source_file_is_collected_again(static_dirs):
    source, _ = static_dirs
    runs = []
    collect_static_once(lambda: runs.append(1))
    css = source / "site.css"
    css.write_text("body { color: navy; }")
    os.utime(css, ns=(css.stat().st_atime_ns, css.stat().st_mtime_ns + 1_000_000_000))
    assert collect_static_once(lambda: runs.append(1)) is True
    (source / "new.js").write_text("console.log('new');")
    assert collect_static_once(lambda: runs.append(1)) is True
    assert runs == [1, 1, 1]


def test_a_failed_collection_leaves_no_stamp(static_dirs):
    _, root = static_dirs
    collect_static_once(lambda: None)

    def broken():
        raise OSError("disk full")

    (static_dirs[0] / "site.css").write_text("changed, and longer than before")
    with pytest.raises(OSError, match="disk full"):
        collect_static_once(broken)
    assert not (root / STAMP_NAME).exists()
    assert collect_static_once(lambda: None) is True

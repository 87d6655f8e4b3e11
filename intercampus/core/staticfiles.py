"""Static file storage for production: WhiteNoise's compressed, hashed files, without
rewriting source-map comments.

Vendored minified libraries (Chart.js, ...) end with ``//# sourceMappingURL=...`` pointing at
a ``.map`` file that we do not ship; Django's manifest storage would stop ``collectstatic``
on it. References in CSS (``url(...)``, ``@import``) are still hashed and checked.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _is_source_map_pattern(pattern) -> bool:
    regex = pattern[0] if isinstance(pattern, tuple) else pattern
    return "sourceMappingURL" in regex


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; source-map comments are left as they are."""

    patterns = tuple(
        (extension, tuple(p for p in patterns if not _is_source_map_pattern(p)))
        for extension, patterns in CompressedManifestStaticFilesStorage.patterns
    )


# Written into STATIC_ROOT after a successful collection; names what was collected.
STAMP_NAME = ".intercampus-collected"


def static_sources_fingerprint() -> str:
    """A hash of the installed version, the storage, and every source static file's name,
    size and modification time: it changes whenever collecting again would change anything."""
    digest = hashlib.sha256()
    digest.update(f"{_installed_version()}\n{_storage_path()}\n".encode())
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list(apps.get_app_config("staticfiles").ignore_patterns):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\t{stat.st_size}\t{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()


def collect_static_once(collect: Callable[[], None]) -> bool:
    """Run ``collect`` (collectstatic, which hashes and compresses every file) unless
    STATIC_ROOT already holds this exact set of sources; True if it ran.

    Compressing the static files takes a minute or more on a busy machine, so a restart of
    the same installed version must not do it again.
    """
    root = Path(settings.STATIC_ROOT)
    stamp = root / STAMP_NAME
    fingerprint = static_sources_fingerprint()
    if stamp.is_file() and stamp.read_text().strip() == fingerprint and _manifest_present(root):
        return False
    # A collection that fails half-way must not leave a stamp claiming it is complete.
    stamp.unlink(missing_ok=True)
    collect()
    stamp.write_text(fingerprint + "\n")
    return True


def _manifest_present(root: Path) -> bool:
    """False when a manifest storage's manifest was deleted since (e.g. a cleaned STATIC_ROOT)."""
    manifest_name = getattr(staticfiles_storage, "manifest_name", None)
    return manifest_name is None or (root / manifest_name).is_file()


def _installed_version() -> str:
    try:
        return importlib.metadata.version("intercampus")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _storage_path() -> str:
    return settings.STORAGES["staticfiles"]["BACKEND"]

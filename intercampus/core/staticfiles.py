"""Static file storage for production: WhiteNoise's compressed, hashed files, without
rewriting source-map comments.

Vendored minified libraries (Chart.js, ...) end with ``//# sourceMappingURL=...`` pointing at
a ``.map`` file that we do not ship; Django's manifest storage would stop ``collectstatic``
on it. References in CSS (``url(...)``, ``@import``) are still hashed and checked.
"""

from __future__ import annotations

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

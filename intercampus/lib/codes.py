"""Validation of the standard codes Intercampus uses (BCP 47 language tags). No models here."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# BCP 47 in the subset institutions use: language, optional script, optional region.
_BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")


def validate_language_tags(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Enter a list of language tags."), code="languages")
    bad = [v for v in value if not _BCP47.match(v)]
    if bad:
        raise ValidationError(
            _("Not a BCP 47 language tag: %(tags)s (e.g. en, sv, pt-BR, zh-Hans)."),
            params={"tags": ", ".join(bad)},
            code="languages",
        )

"""The text of a notice in the active language: pure, below both the notice model (which shows
it) and ``core.notices`` (which sends it), so that neither imports the other back."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

logger = logging.getLogger(__name__)


def render_message(message: str, params: Mapping[str, Any]) -> str:
    """``message`` translated into the active language, with ``params`` put in. A translation
    whose placeholders do not match the message falls back to the English message, so that
    one faulty catalogue entry never hides a notice."""
    try:
        return gettext(message).format(**params)
    except (KeyError, IndexError, ValueError):
        logger.warning("The translation of notice %r does not fit its values", message)
        return message.format(**params)

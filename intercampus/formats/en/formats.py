"""English: "7 Dec 2026", "7 Dec 2026 01:05"."""

from django.conf.locale.en.formats import *  # noqa: F403 (input formats and separators)

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT

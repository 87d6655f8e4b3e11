"""French: "7 décembre 2026", "7 décembre 2026 01:05"."""

from django.conf.locale.fr.formats import *  # noqa: F403 (input formats and separators)

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT

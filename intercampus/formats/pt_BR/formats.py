"""Brazilian Portuguese: "7 de dezembro de 2026", "7 de dezembro de 2026, 01:05"."""

from django.conf.locale.pt_BR.formats import *  # noqa: F403 (input formats and separators)

DATE_FORMAT = r"j \d\e F \d\e Y"
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT

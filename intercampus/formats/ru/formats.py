"""Russian: "7 декабря 2026 г.", "7 декабря 2026 г. 01:05"."""

from django.conf.locale.ru.formats import *  # noqa: F403 (input formats and separators)

DATE_FORMAT = "j E Y г."
DATETIME_FORMAT = "j E Y г. H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT

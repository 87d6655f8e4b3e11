"""Simplified Chinese: "2026年12月7日", "2026年12月7日 01:05"."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403 (input formats and separators)

DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT

"""Date and time formats, one per language, on a 24-hour clock (settings.FORMAT_MODULE_PATH).

Django's own formats give each language a long and a short form ("Dec. 7, 2026" next to
"12/07/2026" in English, which a European reads as 12 July), so pages that chose different
forms disagreed. Here the short forms are the long ones: a date reads the same on every page.
English is written day-month-year, as in the consortium's countries. Exports (CSV, Excel)
do not use these: they write ISO dates.
"""

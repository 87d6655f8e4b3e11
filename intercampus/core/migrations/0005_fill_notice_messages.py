"""Notices sent before messages were stored untranslated: those whose text is one of the
known English messages get that message and its values back, so that they too are shown
in the reader's language. Others (sent in another language) keep their text as sent."""

import re

from django.db import migrations

# The messages as they were when this migration was written (a migration never imports
# the code it migrates from).
KNOWN_MESSAGES = [
    "You moved up from the waitlist: you have a seat at {event}.",
    "You have a buddy: {name}. See why we matched you, and accept.",
    "A newcomer is matched with you: {name}. Please accept or decline.",
    "{name} accepted your buddy match.",
    "Your buddy match was declined; we look for another match.",
    "The newcomer declined the buddy match; your slot is free again.",
    "Your arrival journey at {host}: {n} steps are late: {titles}.",
    "Your arrival journey at {host}: steps due soon: {titles}.",
    "{call}: you have a place at {place}.",
    "{call}: you have no place this time. Your application shows the cut-offs.",
]


def _pattern(message: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", message)
    # re.split alternates literal text and placeholder names.
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$", re.S)


PATTERNS = [(message, _pattern(message)) for message in KNOWN_MESSAGES]


def message_of(text: str) -> tuple[str, dict] | None:
    for message, pattern in PATTERNS:
        match = pattern.match(text)
        if match:
            params = match.groupdict()
            if "n" in params:
                params["n"] = int(params["n"]) if params["n"].isdigit() else params["n"]
            return message, params
    return None


def fill_messages(apps, schema_editor):
    PersonalNotice = apps.get_model("core", "PersonalNotice")
    for notice in PersonalNotice.objects.filter(message="").iterator(chunk_size=2000):
        found = message_of(notice.text)
        if found:
            notice.message, notice.params = found
            notice.save(update_fields=["message", "params"])


class Migration(migrations.Migration):
    dependencies = [("core", "0004_notice_message_params")]

    operations = [migrations.RunPython(fill_messages, migrations.RunPython.noop)]

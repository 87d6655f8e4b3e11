"""Small helpers for the public pages: countries with their flag, language names."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language_info

register = template.Library()


@register.simple_tag
def country(value) -> str:
    """A country's name after its flag emoji; the flag is hidden from screen readers, since the
    name already says it."""
    if not value:
        return ""
    flag = getattr(value, "unicode_flag", "")
    return format_html(
        '<span class="country"><span aria-hidden="true">{}</span> {}</span>',
        flag,
        value.name,
    )


@register.filter
def language_name(tag: str) -> str:
    """The name, in the current language, of a BCP 47 tag (``pt-BR``); the tag if unknown."""
    candidates = [tag.lower(), tag.split("-")[0].lower()]
    for candidate in candidates:
        try:
            return str(get_language_info(candidate)["name_translated"])
        except KeyError:
            continue
    return tag

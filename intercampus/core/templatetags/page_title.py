"""The window title: "<page> · Intercampus", or the site name alone on a page without one."""

from __future__ import annotations

from django import template

register = template.Library()

SITE_NAME = "Intercampus"
SEPARATOR = " · "


@register.filter(is_safe=True)
def with_site_name(page_title: str) -> str:
    # A block's output cannot be tested for emptiness in a template (there is no `self`
    # as in Jinja), so the rendered block is filtered here.
    page_title = " ".join(str(page_title).split())
    return f"{page_title}{SEPARATOR}{SITE_NAME}" if page_title else SITE_NAME

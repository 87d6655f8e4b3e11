"""Every page's window title reads "<page> · Intercampus", in every language."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

SEPARATOR = " · "
# Django's admin and the API's documentation page have layouts of their own.
NOT_OUR_LAYOUT = ("/admin/", "/api/")
TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _named_patterns(patterns, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            prefix = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            found += _named_patterns(entry.url_patterns, prefix)
        elif entry.name:
            found.append((f"{namespace}:{entry.name}" if namespace else entry.name, entry))
    return found


def _pages_without_ids(institution: str) -> list[str]:
    """The URL of every named page that needs no id (staff pages of ``institution``)."""
    urls = []
    for name, pattern in _named_patterns(get_resolver().url_patterns):
        keys = set(pattern.pattern.converters) | set(re.findall(r"<(\w+)>", str(pattern.pattern)))
        kwargs = {"institution": institution} if keys == {"institution"} else {}
        if keys and not kwargs:
            continue
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:  # a pattern with a regular expression, not a plain page
            continue
        if not url.startswith(NOT_OUR_LAYOUT):
            urls.append(url)
    return urls


def _title_of(response) -> str | None:
    if "text/html" not in response.get("Content-Type", ""):
        return None
    match = TITLE.search(response.content.decode())
    return " ".join(match.group(1).split()) if match else None


def _titles(client, urls) -> dict[str, str]:
    titles = {}
    for url in urls:
        response = client.get(url)
        title = _title_of(response) if response.status_code == 200 else None
        if title is not None:
            titles[url] = title
    return titles


def test_every_page_title_names_the_page_then_the_site(world, secretariat_client):
    titles = _titles(secretariat_client, _pages_without_ids("kuleuven.be"))

    assert len(titles) >= 15
    wrong = {
        url: title
        for url, title in titles.items()
        if title != "Intercampus" and not title.endswith(f"{SEPARATOR}Intercampus")
    }
    assert wrong == {}


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_page_titles_keep_their_separator_in_every_language(world, client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = [reverse("account_login"), reverse("network:institutions")]

    for url, title in _titles(client, pages).items():
        page, _, site = title.rpartition(SEPARATOR)
        assert site == "Intercampus", (url, title)
        assert page.strip(), (url, title)

"""The staff pages' shared helpers: one trail order, one breadcrumbs template."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from intercampus.core import staff_pages
from intercampus.core.staff_pages import staff_crumbs, staff_url


def _staff_request(institution):
    request = RequestFactory().get("/")
    request.institution = institution
    return request


def test_the_trail_starts_at_the_staff_area_named_after_the_institution(world):
    request = _staff_request(world.kth)
    units = (staff_url(request, "units"), "Units")

    trail = staff_crumbs(request, units)

    assert trail == [(f"/i/{world.kth.schac}/", world.kth.display_name), units]


def test_the_template_links_every_crumb_and_marks_the_page_itself():
    html = render_to_string(
        "includes/breadcrumbs.html",
        {"crumbs": [("/i/kth.se/", "KTH"), ("/i/kth.se/units/", "Units")], "current": "Edit"},
    )

    assert '<a href="/i/kth.se/">KTH</a>' in html
    assert '<a href="/i/kth.se/units/">Units</a>' in html
    assert '<li aria-current="page">Edit</li>' in html


def test_a_page_without_a_trail_renders_no_breadcrumbs():
    assert render_to_string("includes/breadcrumbs.html", {}).strip() == ""


def test_the_renderer_gives_every_page_its_institution_and_its_time_zone(world, monkeypatch):
    seen = {}

    def fake_render(request, template, context, status):
        seen.update(template=template, context=context, status=status)
        seen["clock"] = timezone.get_current_timezone_name()

    monkeypatch.setattr(staff_pages, "render", fake_render)
    request = _staff_request(world.kth)

    staff_pages.staff_renderer("events/staff/")(request, "list.html", {"x": 1}, status=422)

    assert seen["template"] == "events/staff/list.html"
    assert seen["status"] == 422
    assert seen["context"] == {"institution": world.kth, "zone": world.kth.timezone, "x": 1}


def test_on_the_institutions_clock_the_page_is_rendered_in_its_time_zone(world, monkeypatch):
    clocks = []
    monkeypatch.setattr(
        staff_pages, "render", lambda *a, **k: clocks.append(timezone.get_current_timezone_name())
    )
    request = _staff_request(world.kth)

    with timezone.override("UTC"):
        staff_pages.staff_renderer("x/")(request, "a.html", {})
        staff_pages.staff_renderer("x/", on_institution_clock=True)(request, "a.html", {})

    assert clocks == ["UTC", str(world.kth.timezone)]

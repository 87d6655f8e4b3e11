"""An event description of 2 MB is refused with a clear error, on the page and by the API."""

from __future__ import annotations

from intercampus.core.limits import TEXT_MAX_LENGTH
from intercampus.events.models import Event
from intercampus.events.tests.test_api_events import (
    API,
    NEW_EVENT,
    call,
    tpu_api,  # noqa: F401 (fixture)
)
from intercampus.events.tests.test_staff_pages import form_data, url

HUGE = "x" * 2_000_000


def test_the_event_form_refuses_a_2_mb_description_and_keeps_the_rest(world, tpu_officer_client):
    response = tpu_officer_client.post(url("event_add"), form_data(description=HUGE))
    assert response.status_code in (200, 400)
    form = response.context["form"]
    assert "description" in form.errors
    assert str(TEXT_MAX_LENGTH) in form.errors["description"][0].replace(",", "")
    # What was typed is still in the form.
    assert form["title"].value() == "Winter welcome"
    assert not Event.objects.filter(title="Winter welcome").exists()


def test_the_api_refuses_a_2_mb_description_naming_the_field(world, tpu_api):  # noqa: F811
    response = call(tpu_api, "post", f"{API}/staff/tpu.ru/", {**NEW_EVENT, "description": HUGE})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert body["errors"][0]["loc"][-1] == "description"
    assert not Event.objects.filter(title=NEW_EVENT["title"]).exists()


def test_a_description_at_the_limit_is_accepted(world, tpu_api):  # noqa: F811
    body = {**NEW_EVENT, "description": "x" * TEXT_MAX_LENGTH}
    assert call(tpu_api, "post", f"{API}/staff/tpu.ru/", body).status_code == 201

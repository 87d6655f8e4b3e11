"""A user's saved language applies after sign-in; the switcher still wins."""

from django.conf import settings
from django.urls import reverse


def test_the_saved_language_applies_after_sign_in(world, client):
    world.kth_officer.preferred_language = "ru"
    world.kth_officer.save()
    client.force_login(world.kth_officer)
    response = client.get(reverse("network:home"))
    assert '<html lang="ru"' in response.text
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"


def test_an_explicit_choice_in_the_browser_wins(world, client):
    world.kth_officer.preferred_language = "ru"
    world.kth_officer.save()
    client.force_login(world.kth_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(reverse("network:home"))
    assert '<html lang="fr"' in response.text

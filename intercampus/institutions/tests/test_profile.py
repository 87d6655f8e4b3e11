"""The international relations officer edits their institution's public profile."""

from django.urls import reverse

from intercampus.core.models import AuditEntry
from intercampus.institutions.models import Institution

URL = reverse("staff:profile", kwargs={"institution": "tpu.ru"})


def _profile(**changes):
    data = {
        "name": "Tomsk Polytechnic University",
        "short_name": "TPU",
        "erasmus_code": "",
        "city": "Tomsk",
        "timezone": "Asia/Tomsk",
        "website": "https://tpu.ru",
        "languages": "ru, en",
        "description": "",
    }
    data.update(changes)
    return data


def test_the_officer_sees_the_profile_with_schac_code_and_country_read_only(
    world, tpu_officer_client
):
    response = tpu_officer_client.get(URL)
    assert response.status_code == 200
    assert "tpu.ru" in response.text
    assert 'name="schac"' not in response.text
    assert 'name="country"' not in response.text
    assert 'value="ru, en"' in response.text
    assert '<option value="Asia/Tomsk" selected>' in response.text


def test_the_officer_saves_the_profile_and_the_change_is_audited(world, tpu_officer_client):
    response = tpu_officer_client.post(
        URL,
        _profile(city="Tomsk, Siberia", languages="RU, en, zh-hans", timezone="Asia/Novosibirsk"),
    )
    assert response.status_code == 302
    tpu = Institution.objects.get(schac="tpu.ru")
    assert tpu.city == "Tomsk, Siberia"
    assert tpu.languages == ["ru", "en", "zh-Hans"]
    assert tpu.timezone == "Asia/Novosibirsk"
    entry = AuditEntry.objects.get(action="institutions.institution.changed")
    assert entry.institution == tpu
    assert entry.actor == world.tpu_officer
    assert entry.before["city"] == "Tomsk"
    assert entry.after["city"] == "Tomsk, Siberia"


def test_the_schac_code_and_country_cannot_be_changed_by_posting_them(world, tpu_officer_client):
    tpu_officer_client.post(URL, _profile(schac="evil.example", country="US"))
    tpu = Institution.objects.get(pk=world.tpu.pk)
    assert (tpu.schac, tpu.country.code) == ("tpu.ru", "RU")


def test_a_bad_language_tag_is_named_and_what_was_typed_is_kept(world, tpu_officer_client):
    response = tpu_officer_client.post(URL, _profile(languages="ru, english, en", city="Томск"))
    assert response.status_code == 200
    assert "Not a BCP 47 language tag: “english”" in response.text
    assert 'value="ru, english, en"' in response.text
    assert 'value="Томск"' in response.text
    assert Institution.objects.get(pk=world.tpu.pk).languages == ["ru", "en"]
    assert not AuditEntry.objects.exists()


def test_an_unknown_time_zone_is_refused(world, tpu_officer_client):
    response = tpu_officer_client.post(URL, _profile(timezone="Mars/Olympus"))
    assert response.status_code == 200
    assert Institution.objects.get(pk=world.tpu.pk).timezone == "Asia/Tomsk"


def test_a_member_without_the_permission_gets_403(world, coordinator_client):
    assert coordinator_client.get(URL).status_code == 403
    assert coordinator_client.post(URL, _profile(city="X")).status_code == 403
    assert Institution.objects.get(pk=world.tpu.pk).city == "Tomsk"


def test_staff_of_another_institution_get_404(world, kth_officer_client):
    assert kth_officer_client.get(URL).status_code == 404
    assert kth_officer_client.post(URL, _profile(city="X")).status_code == 404
    assert Institution.objects.get(pk=world.tpu.pk).city == "Tomsk"

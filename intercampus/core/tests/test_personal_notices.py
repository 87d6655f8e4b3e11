"""Notices to one person are written in their language and shown only on their own page."""

from django.urls import reverse

from intercampus.core.models import PersonalNotice
from intercampus.core.notices import notify_person


def test_a_notice_is_written_in_the_recipients_language(world):
    from django.utils.translation import gettext as _

    world.student.preferred_language = "fr"
    world.student.save()
    notice = notify_person(user=world.student, kind="test.hello", text=lambda: _("Sign in"))
    assert notice.text == "Se connecter"


def test_people_see_their_own_notices_and_can_mark_them_read(world, student_client, client):
    notify_person(user=world.student, kind="test.one", text=lambda: "A seat is yours")
    notify_person(user=world.kth_officer, kind="test.two", text=lambda: "Not for the student")
    page = student_client.get(reverse("me:home"))
    assert "A seat is yours" in page.text
    assert "Not for the student" not in page.text
    student_client.post(reverse("me:notices_read"))
    assert not PersonalNotice.objects.filter(user=world.student, read_at__isnull=True).exists()
    assert PersonalNotice.objects.filter(user=world.kth_officer, read_at__isnull=True).exists()

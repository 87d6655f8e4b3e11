"""Notices to one person are shown in the language they read the site in, and only on their
own page; their e-mails are written in the person's preferred language."""

from importlib import import_module

from django.conf import settings
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils.translation import gettext_noop

from intercampus.core.models import PersonalNotice
from intercampus.core.notices import notify_person


def _read_in(client, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("me:home")).content.decode()


def test_a_notice_sent_in_english_is_shown_in_russian_to_a_reader_of_russian(world, student_client):
    notify_person(user=world.student, kind="test.hello", message=gettext_noop("Sign in"))

    assert "<li>Sign in" in _read_in(student_client, "en")
    assert "<li>Войти" in _read_in(student_client, "ru")
    assert PersonalNotice.objects.get(user=world.student).text == "Sign in"


def test_a_notice_keeps_its_values_in_every_language(world, student_client):
    notify_person(
        user=world.student,
        kind="test.promoted",
        message=gettext_noop("You moved up from the waitlist: you have a seat at {event}."),
        params={"event": "Museum night"},
        link="/events/",
    )

    assert "Museum night" in _read_in(student_client, "ru")
    assert "Museum night" in _read_in(student_client, "fr")


def test_the_notice_e_mail_is_written_in_the_preferred_language(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.student.preferred_language = "ru"
    world.student.save()

    with TestCase.captureOnCommitCallbacks(execute=True):
        notify_person(
            user=world.student,
            kind="test.hello",
            message=gettext_noop("Sign in"),
            email_subject=gettext_noop("Sign in"),
        )

    assert [m.subject for m in mail.outbox] == ["Войти"]
    assert mail.outbox[0].body.startswith("Войти")


def test_people_see_their_own_notices_and_can_mark_them_read(world, student_client, client):
    notify_person(user=world.student, kind="test.one", message="A seat is yours")
    notify_person(user=world.kth_officer, kind="test.two", message="Not for the student")
    page = student_client.get(reverse("me:home"))
    assert "A seat is yours" in page.text
    assert "Not for the student" not in page.text
    student_client.post(reverse("me:notices_read"))
    assert not PersonalNotice.objects.filter(user=world.student, read_at__isnull=True).exists()
    assert PersonalNotice.objects.filter(user=world.kth_officer, read_at__isnull=True).exists()


def test_notices_sent_before_in_english_get_their_message_back():
    migration = import_module("intercampus.core.migrations.0005_fill_notice_messages")

    found = migration.message_of("Your arrival journey at TPU: 2 steps are late: Visa, Room.")

    assert found == (
        "Your arrival journey at {host}: {n} steps are late: {titles}.",
        {"host": "TPU", "n": 2, "titles": "Visa, Room"},
    )
    assert migration.message_of("Вы переведены из листа ожидания.") is None

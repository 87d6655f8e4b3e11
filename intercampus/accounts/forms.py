"""Forms of the personal area /me/. They only check input: services do the writes."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intercampus.accounts.models import ApiToken
from intercampus.core.limits import BoundedTextFormMixin


def _language_choices() -> list[tuple[str, Any]]:
    return [("", _("As my browser asks")), *settings.LANGUAGES]


class PreferredLanguageForm(BoundedTextFormMixin, forms.Form):
    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=_language_choices,
        required=False,
        help_text=_("The language of these pages and of the e-mails we send you."),
    )


# Lifetimes offered for a new token, in days; "" keeps it until it is revoked.
TOKEN_LIFETIMES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("One year")),
    ("", _("Until I revoke it")),
]


class ApiTokenForm(BoundedTextFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the new token"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("Say what uses it, e.g. “Nightly export to our student system”."),
    )
    lifetime = forms.ChoiceField(
        label=_("Valid for"),
        choices=TOKEN_LIFETIMES,
        initial="90",
        required=False,
        help_text=_(
            "After that the token stops working; a token that is never used "
            "again is safest when it expires."
        ),
    )

    def expires(self) -> datetime.datetime | None:
        """When the token chosen in the form stops working, or None for never."""
        days = self.cleaned_data.get("lifetime")
        return timezone.now() + datetime.timedelta(days=int(days)) if days else None

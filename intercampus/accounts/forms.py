"""Forms of the personal area /me/. They only check input: services do the writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
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


class ApiTokenForm(BoundedTextFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the new token"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("Say what uses it, e.g. “Nightly export to our student system”."),
    )

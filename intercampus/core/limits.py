"""How much text a person may type into one field, for every form and API schema.

Text columns (``TextField``) have no length in the database, so without a limit here a form or
an API call accepted megabytes into an event description. The limit lives in the forms and
schemas rather than in the models: it is a rule about input, and it needs no migration. Too
long a value gets the usual field error (the page keeps what was typed; the API answers 422
naming the field), never a 500.
"""

from __future__ import annotations

from typing import Annotated

from django import forms
from django.core.validators import MaxLengthValidator
from pydantic import StringConstraints

# A long free text (a description, minutes, a note): a few printed pages.
TEXT_MAX_LENGTH = 10_000
# A single line (a search, an identifier, a label) that its model does not bound itself.
LINE_MAX_LENGTH = 500

# For API schemas: ``description: LongText = ""``.
LongText = Annotated[str, StringConstraints(max_length=TEXT_MAX_LENGTH)]
Line = Annotated[str, StringConstraints(max_length=LINE_MAX_LENGTH)]


def bound_text_fields(fields: dict[str, forms.Field]) -> None:
    """Give every text field of a form that has no maximum length the project's default:
    :data:`TEXT_MAX_LENGTH` for a text area, :data:`LINE_MAX_LENGTH` for anything else."""
    for field in fields.values():
        if not isinstance(field, forms.CharField) or field.max_length is not None:
            continue
        limit = TEXT_MAX_LENGTH if isinstance(field.widget, forms.Textarea) else LINE_MAX_LENGTH
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit))


class BoundedTextFormMixin:
    """A form whose text fields without a maximum length get the default when it validates,
    fields its own ``__init__`` builds (e.g. from its model) included."""

    fields: dict[str, forms.Field]

    def full_clean(self) -> None:
        bound_text_fields(self.fields)
        super().full_clean()  # type: ignore[misc]

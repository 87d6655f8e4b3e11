"""Inter-institutional agreements: each partner's own copy and its cooperation conditions."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from intercampus.mobility.choices import MobilityType

academic_year_validator = RegexValidator(
    r"^[0-9]{4}/[0-9]{4}$", _("Write the academic year as YYYY/YYYY, e.g. 2026/2027.")
)


def new_iia_id() -> str:
    # EWP ids are opaque and never reused; a UUID gives both without a counter to lock.
    return str(uuid.uuid4())


class Agreement(models.Model):
    """One partner's own copy of an inter-institutional agreement (an EWP IIA)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    iia_id = models.CharField(_("agreement id"), max_length=64, default=new_iia_id, editable=False)
    iia_code = models.CharField(_("agreement code"), max_length=100, blank=True)
    owner_ounit = models.ForeignKey(
        "institutions.OrganisationalUnit",
        verbose_name=_("our unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The partner is named by its SCHAC code so that partners on other platforms (reached
    # through EWP) are first-class; ``partner`` is set when the partner is on this platform.
    partner_hei_id = models.CharField(_("partner SCHAC code"), max_length=100)
    partner = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partner_agreements",
    )
    partner_ounit_id = models.CharField(_("partner unit id"), max_length=100, blank=True)
    # Set once the two copies are linked: the partner's id for its own copy.
    partner_iia_id = models.CharField(_("partner's agreement id"), max_length=64, blank=True)
    partner_iia_code = models.CharField(_("partner's agreement code"), max_length=100, blank=True)
    in_effect = models.BooleanField(_("in effect"), default=False)
    terminated = models.BooleanField(_("terminated as a whole"), default=False)
    owner_signer = models.CharField(_("signed for us by"), max_length=200, blank=True)
    owner_signing_date = models.DateField(_("signed by us on"), null=True, blank=True)
    partner_signer = models.CharField(_("signed for the partner by"), max_length=200, blank=True)
    partner_signing_date = models.DateField(_("signed by the partner on"), null=True, blank=True)
    contacts = models.JSONField(
        _("contacts"),
        default=list,
        blank=True,
        help_text=_("People to contact, as a list of {name, email, phone, role, side}."),
    )
    # What an EWP document carries that the fields above do not model (full signing
    # contacts, pdf-file, the ounit-id of an institution known only through EWP), kept so
    # that an imported copy is served back as it was received. See mobility.ewp_mapping.
    ewp_extra = models.JSONField(default=dict, blank=True, editable=False)
    # The EWP iia-hash of this copy as it is served now; recomputed by every change.
    iia_hash = models.CharField(max_length=64, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ScopedManager(institution="owner")

    class Meta:
        ordering = ["partner_hei_id", "-created"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        # An iia-id is unique within one relationship: an institution known only through EWP
        # is the owner of one copy per partner on the platform that imported it, so that
        # one partner's import never reaches another partner's copy.
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "partner_hei_id", "iia_id"], name="agreement_iia_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.iia_code or f"{self.owner_id}–{self.partner_hei_id}"


class AgreementApproval(models.Model):
    """A partner's approval of one precise version (hash) of the other partner's copy."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="approvals")
    approver_hei_id = models.CharField(_("approved by (SCHAC)"), max_length=100)
    iia_hash = models.CharField(_("approved version"), max_length=64)
    approved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)

    class Meta:
        ordering = ["-approved_at", "-id"]
        verbose_name = _("agreement approval")
        verbose_name_plural = _("agreement approvals")

    def __str__(self) -> str:
        return f"{self.approver_hei_id} approved {self.agreement_id} ({self.iia_hash[:8]})"


class CooperationCondition(models.Model):
    """One direction of one kind of mobility under an agreement (an EWP mobility spec)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="conditions")
    # Stable order: EWP hashes the conditions in document order.
    position = models.PositiveIntegerField(default=0)
    mobility_type = models.CharField(
        _("mobility type"), max_length=30, choices=MobilityType.choices
    )
    sending_hei_id = models.CharField(_("sending institution"), max_length=100)
    sending_ounit_id = models.CharField(_("sending unit"), max_length=100, blank=True)
    receiving_hei_id = models.CharField(_("receiving institution"), max_length=100)
    receiving_ounit_id = models.CharField(_("receiving unit"), max_length=100, blank=True)
    first_academic_year = models.CharField(
        _("first academic year"), max_length=9, validators=[academic_year_validator]
    )
    last_academic_year = models.CharField(
        _("last academic year"), max_length=9, validators=[academic_year_validator]
    )
    mobilities_per_year = models.PositiveIntegerField(
        _("mobilities per year"), validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    total_months_per_year = models.DecimalField(
        _("total months per year"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    total_days_per_year = models.DecimalField(
        _("total days per year"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    subject_areas = models.JSONField(
        _("subject areas"),
        default=list,
        blank=True,
        help_text=_("ISCED-F 2013 four-digit codes, each with an optional clarification."),
    )
    eqf_levels = models.JSONField(_("study cycles (EQF)"), default=list, blank=True)
    language_skills = models.JSONField(
        _("recommended language skills"),
        default=list,
        blank=True,
        help_text=_("Language (BCP 47), CEFR level and optionally the subject area it is for."),
    )
    blended = models.BooleanField(_("willing to host blended mobility"), default=False)
    other_info = models.TextField(_("other information"), blank=True)
    # What an EWP document carries that the fields above do not model (sending and
    # receiving contacts, not-yet-defined markers); see mobility.ewp_mapping.
    ewp_extra = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["agreement", "position", "id"]
        verbose_name = _("cooperation condition")
        verbose_name_plural = _("cooperation conditions")

    def __str__(self) -> str:
        return (
            f"{self.sending_hei_id} → {self.receiving_hei_id} ({self.get_mobility_type_display()})"
        )

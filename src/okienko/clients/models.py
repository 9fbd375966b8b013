"""Clients: persons and organisations served by an office, their contacts, consents and relations."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.models import Organisation, TerritorialUnit
from okienko.core.actors import Actor


class ClientQuerySet(models.QuerySet["Client"]):
    def visible_to(self, user: Actor) -> ClientQuerySet:
        """Clients whose home office is an organisation where ``user`` may see clients."""
        from okienko.accounts import access
        from okienko.accounts.roles import Perm

        # A list of ids, not a subquery: the planner then estimates the client filter correctly
        # and can walk the name index in order (ADR 0010).
        offices = list(access.organisations_with(user, Perm.CLIENTS_VIEW).values_list("pk", flat=True))
        return self.filter(home_office_id__in=offices)

    def active(self) -> ClientQuerySet:
        return self.filter(merged_into__isnull=True)


class Client(models.Model):
    """A resident, job seeker or unemployed person, or an organisation such as an employer."""

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        ORGANISATION = "organisation", pgettext_lazy("kind of client", "organisation")

    class Status(models.TextChoices):
        RESIDENT = "resident", _("resident")
        UNEMPLOYED = "unemployed", _("registered unemployed")
        JOB_SEEKER = "job_seeker", _("job seeker")
        EMPLOYER = "employer", _("employer")
        OTHER = "other", pgettext_lazy("client status", "other")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("client number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PERSON)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RESIDENT)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    organisation_name = models.CharField(_("organisation name"), max_length=250, blank=True)
    pesel = models.CharField(_("PESEL"), max_length=11, blank=True, db_index=True)
    nip = models.CharField(_("NIP"), max_length=10, blank=True, db_index=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    home_office = models.ForeignKey(
        Organisation, verbose_name=_("home office"), on_delete=models.PROTECT, related_name="clients"
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    gmina = models.ForeignKey(
        TerritorialUnit,
        verbose_name=_("gmina"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clients",
    )
    pin_hash = models.CharField(_("PIN (hashed)"), max_length=200, blank=True, editable=False)
    pin_set_at = models.DateTimeField(_("PIN set at"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    # Normalised (lower case, no diacritics, digits only for numbers) copy used by the desk search.
    search_name = models.CharField(max_length=300, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["last_name", "first_name", "organisation_name", "number"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="client_name_idx"),
            # The desk lookup walks this index in order for a name prefix and stops at the limit.
            models.Index(fields=["search_name", "number"], name="client_search_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.number})"

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.ORGANISATION:
            return self.organisation_name
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def has_pin(self) -> bool:
        return bool(self.pin_hash)


class ClientContact(models.Model):
    """A phone number or e-mail address of a client (a client may have several)."""

    class Kind(models.TextChoices):
        PHONE = "phone", pgettext_lazy("contact kind", "phone")
        EMAIL = "email", _("e-mail")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=254)
    # Digits only (phones, with country code 48 stripped) or lower-case e-mail, for search and duplicates.
    normalized = models.CharField(max_length=254, db_index=True, editable=False)
    label = models.CharField(_("label"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    # Delivery failures reported back for an e-mail address (channels.email: bounces and DSNs).
    bounce_count = models.PositiveIntegerField(_("delivery failures"), default=0, editable=False)
    bounced_at = models.DateTimeField(_("last delivery failure"), null=True, blank=True, editable=False)
    bounce_reason = models.CharField(_("delivery failure"), max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("client contact")
        verbose_name_plural = _("client contacts")
        ordering = ["client", "kind", "-is_primary", "id"]

    def __str__(self) -> str:
        return self.value


class ClientConsent(models.Model):
    """A consent given or withdrawn by a client, with its date and source."""

    class Topic(models.TextChoices):
        CONTACT_PHONE = "contact_phone", _("contact by phone")
        CONTACT_EMAIL = "contact_email", _("contact by e-mail")
        SMS = "sms", _("SMS notifications")
        NEWSLETTER = "newsletter", _("newsletter")
        PROFILE_SEARCHABLE = "profile_searchable", _("profile searchable by employers")

    class Source(models.TextChoices):
        PHONE = "phone", _("phone call")
        COUNTER = "counter", _("at the counter")
        PAPER = "paper", _("paper form")
        PORTAL = "portal", _("portal")
        EMAIL = "email", _("e-mail")
        OTHER = "other", pgettext_lazy("consent source", "other")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    topic = models.CharField(_("consent"), max_length=24, choices=Topic.choices)
    granted = models.BooleanField(_("granted"))
    given_at = models.DateTimeField(_("date"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["client", "topic"]
        constraints = [models.UniqueConstraint(fields=["client", "topic"], name="client_consent_unique")]

    def __str__(self) -> str:
        return f"{self.get_topic_display()}: {self.granted}"


class ClientRelation(models.Model):
    """A person acting for an organisation or on someone else's behalf."""

    class Kind(models.TextChoices):
        REPRESENTS = "represents", _("represents (employee, owner)")
        PROXY = "proxy", _("acts on behalf of (proxy)")
        GUARDIAN = "guardian", _("legal guardian of")

    person = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="relations_out")
    kind = models.CharField(_("relation"), max_length=12, choices=Kind.choices)
    other = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="relations_in")
    role = models.CharField(_("role or function"), max_length=120, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("client relation")
        verbose_name_plural = _("client relations")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "other"], name="client_relation_unique"),
            models.CheckConstraint(condition=~models.Q(person=models.F("other")), name="client_relation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.other_id}"


class ClientNameWord(models.Model):
    """Every distinct first word of the clients' normalised names (surnames, organisation names).

    A typo'd surname is matched against this small dictionary first, then clients are found by
    exact prefix; see ADR 0010.
    """

    word = models.CharField(max_length=150, unique=True)

    def __str__(self) -> str:
        return self.word


class ClientNumberCounter(models.Model):
    """The last client number handed out for a prefix (locked row, so numbers never repeat)."""

    prefix = models.CharField(max_length=8, primary_key=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}{self.last_value}"


class ClientMerge(models.Model):
    """The record of two client records joined into one (who, when, what was moved)."""

    survivor = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="merges")
    merged = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    merged_number = models.CharField(max_length=20)
    merged_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField()
    moved = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("client merge")
        verbose_name_plural = _("client merges")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged_number} → {self.survivor_id}"

"""Organisations (a tree), their locations and territory, staff users and their roles."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from okienko.accounts.roles import Perm, Role


class TerritorialUnit(models.Model):
    """A unit of the TERYT TERC register: voivodeship (2 digits), powiat (4), gmina (7)."""

    class Kind(models.TextChoices):
        VOIVODESHIP = "voivodeship", _("voivodeship")
        POWIAT = "powiat", _("powiat")
        CITY_POWIAT = "city_powiat", _("city with powiat rights")
        GMINA = "gmina", _("gmina")

    code = models.CharField(_("TERYT code"), max_length=7, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("TERYT kind"), max_length=60, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        verbose_name = _("territorial unit")
        verbose_name_plural = _("territorial units")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def powiat_code(self) -> str:
        return self.code[:4]


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active(self) -> OrganisationQuerySet:
        return self.filter(active=True)

    def subtree_of(self, org: Organisation) -> OrganisationQuerySet:
        return self.filter(path__startswith=org.path)


class Organisation(models.Model):
    """An office, contact centre, city unit, department or agency, in one tree."""

    class Kind(models.TextChoices):
        REGION_OFFICE = "region_office", _("regional labour office (WUP)")
        COUNTY_OFFICE = "county_office", _("county labour office (PUP)")
        CITY = "city", _("city office")
        CONTACT_CENTRE = "contact_centre", _("contact centre")
        UNIT = "unit", _("city unit")
        DEPARTMENT = "department", _("department")
        AGENCY = "agency", _("employment agency")
        OTHER = "other", _("other")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    seat_locative = models.CharField(
        _("seat, after “in”"),
        max_length=120,
        blank=True,
        help_text=_(
            "Where the office is, as Polish says it, with its preposition: “w Łomży”, “we Wrocławiu”, "
            "“w Wysokiem Mazowieckiem”. Used in sentences such as “the office in …”."
        ),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("place in the tree"), max_length=500, db_index=True, editable=False)
    territory = models.ManyToManyField(TerritorialUnit, verbose_name=_("territory served"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    active = models.BooleanField(pgettext_lazy("organisation", "active"), default=True)
    open311_public = models.BooleanField(
        _("public Open311 jurisdiction"),
        default=False,
        help_text=_(
            "Open311 GeoReport v2 serves this organisation (jurisdiction_id = its code): its published "
            "services and their requests. Leave off for offices whose matters are clients' own affairs."
        ),
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        parent_path = self.parent.path if self.parent_id and self.parent else "/"
        self.path = f"{parent_path}{self.code}/"
        super().save(*args, **kwargs)

    def ancestors(self) -> OrganisationQuerySet:
        prefixes = []
        parts = [p for p in self.path.split("/") if p]
        for i in range(1, len(parts)):
            prefixes.append("/" + "/".join(parts[:i]) + "/")
        return Organisation.objects.filter(path__in=prefixes)

    def is_within(self, other: Organisation) -> bool:
        return self.path.startswith(other.path)

    @property
    def controller_path(self) -> str:
        """The path of the data controller this organisation belongs to: the root of its tree.

        A city with its units, a regional labour office with its county offices, an agency: each
        tree is one controller (ADR 0041); nothing about one tree's clients is shown to another.
        """
        return "/" + self.path.strip("/").split("/")[0] + "/"


class Location(models.Model):
    """A place where an organisation receives clients (an office, a branch, a counter)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=6)
    city = models.CharField(_("city"), max_length=100)
    teryt = models.ForeignKey(
        TerritorialUnit, verbose_name=_("gmina"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_main = models.BooleanField(_("main seat"), default=False)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["organisation", "-is_main", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.street}, {self.postal_code} {self.city}"


class OfficeHours(models.Model):
    """Opening hours of an organisation (for a weekday; holidays come from the business calendar)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="office_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")
        ordering = ["organisation", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=models.Q(opens__lt=models.F("closes")), name="office_hours_order")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class User(AbstractUser):
    """A member of staff (clients are not users; they identify by client number and PIN)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=5, choices=[("pl", _("Polish")), ("en", _("English"))], default="pl"
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A role a user holds in an organisation (and, unless narrowed, in its sub-organisations)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    include_descendants = models.BooleanField(_("also in sub-organisations"), default=True)
    absent_until = models.DateField(_("absent until"), null=True, blank=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organisation}"


class ScopeGrant(models.Model):
    """A rule letting staff of one organisation use a permission in another (e.g. call overflow)."""

    grantee = models.ForeignKey(
        Organisation, verbose_name=_("granted to"), on_delete=models.CASCADE, related_name="grants_received"
    )
    target = models.ForeignKey(
        Organisation, verbose_name=_("may see the data of"), on_delete=models.CASCADE, related_name="grants_given"
    )
    permission = models.CharField(_("permission"), max_length=40, choices=Perm.choices)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("scope grant")
        verbose_name_plural = _("scope grants")
        constraints = [models.UniqueConstraint(fields=["grantee", "target", "permission"], name="scope_grant_unique")]

    def __str__(self) -> str:
        return f"{self.grantee} → {self.target}: {self.permission}"


# Systems' credentials live in their own module (it needs the models above); importing them here
# registers the model with the accounts app.
from okienko.accounts.tokens import ApiToken, Scope  # noqa: E402

__all__ = [
    "ApiToken",
    "Location",
    "Membership",
    "OfficeHours",
    "Organisation",
    "OrganisationQuerySet",
    "Scope",
    "ScopeGrant",
    "TerritorialUnit",
    "User",
]

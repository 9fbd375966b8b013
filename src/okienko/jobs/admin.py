"""Employers and job offers in the admin: read-only (they change through the desk's actions,
which audit every step and keep the search index in step)."""

from __future__ import annotations

from django.contrib import admin

from okienko.core.admin import ReadOnlyModelAdmin
from okienko.jobs.models import Employer, EmployerInvitation, EmployerMembership, JobOffer


@admin.register(Employer)
class EmployerAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "nip", "locality", "office", "status"]
    list_filter = ["status"]
    search_fields = ["name", "nip"]


@admin.register(EmployerMembership)
class EmployerMembershipAdmin(ReadOnlyModelAdmin):
    list_display = ["employer", "user", "role", "active"]


@admin.register(EmployerInvitation)
class EmployerInvitationAdmin(ReadOnlyModelAdmin):
    list_display = ["employer", "role", "created_at", "expires_at", "accepted_at", "cancelled_at"]
    exclude = ["token_hash"]


@admin.register(JobOffer)
class JobOfferAdmin(ReadOnlyModelAdmin):
    list_display = ["title", "employer", "office", "status", "verified", "valid_until"]
    list_filter = ["status", "verified", "origin"]
    search_fields = ["title", "employer__name"]
    exclude = ["title_keys", "occupation_keys", "body_keys"]

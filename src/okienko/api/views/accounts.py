"""Read-only organisations and staff, limited to what the caller (or the token) may see."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet
from django_filters import rest_framework as df
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.request import Request

from okienko.accounts import access
from okienko.accounts.models import Organisation, OrganisationQuerySet, User
from okienko.api.base import FilterSet, ReadOnlyApiViewSet
from okienko.api.conditional import ConditionalRetrieveMixin
from okienko.api.models import Scope
from okienko.api.permissions import token_of
from okienko.api.serializers import OrganisationSerializer, UserSerializer


def visible_organisations(request: Request) -> OrganisationQuerySet:
    """The token's subtree; for staff, the subtrees of their memberships (all for superusers)."""
    token = token_of(request)
    orgs = Organisation.objects.all()
    if token is not None:
        return orgs.filter(path__startswith=token.organisation.path)
    user = request.user
    if getattr(user, "is_superuser", False):
        return orgs
    parts = [
        Q(path__startswith=m.organisation.path) if m.include_descendants else Q(pk=m.organisation_id)
        for m in access.memberships(user)
    ]
    return orgs.filter(reduce(or_, parts)) if parts else orgs.none()


class OrganisationFilter(FilterSet):
    parent = df.CharFilter(field_name="parent__code")
    within = df.CharFilter(method="filter_within", label="code of an ancestor organisation")

    class Meta:
        model = Organisation
        fields = ["kind", "active", "parent"]

    def filter_within(self, queryset: OrganisationQuerySet, name: str, value: str) -> OrganisationQuerySet:
        root = Organisation.objects.filter(code=value).first()
        return queryset.filter(path__startswith=root.path) if root else queryset.none()


@extend_schema_view(list=extend_schema(summary="List organisations"), retrieve=extend_schema(summary="Organisation"))
class OrganisationViewSet(ConditionalRetrieveMixin, ReadOnlyApiViewSet):
    serializer_class = OrganisationSerializer
    read_scope = Scope.ORGANISATIONS_READ
    lookup_field = "code"
    filterset_class = OrganisationFilter
    ordering_fields = ["id", "code", "name"]

    def get_queryset(self) -> OrganisationQuerySet:
        return visible_organisations(self.request).select_related("parent")


class UserFilter(FilterSet):
    organisation = df.CharFilter(field_name="memberships__organisation__code", distinct=True)
    role = df.CharFilter(field_name="memberships__role", distinct=True)

    class Meta:
        model = User
        fields = ["organisation", "role", "is_active"]


@extend_schema_view(list=extend_schema(summary="List staff"), retrieve=extend_schema(summary="Staff member"))
class UserViewSet(ConditionalRetrieveMixin, ReadOnlyApiViewSet):
    serializer_class = UserSerializer
    read_scope = Scope.USERS_READ
    lookup_field = "uuid"
    filterset_class = UserFilter
    ordering_fields = ["id", "username", "last_name"]

    def get_queryset(self) -> QuerySet[Any]:
        orgs = visible_organisations(self.request)
        return (
            User.objects.filter(memberships__organisation__in=orgs)
            .distinct()
            .prefetch_related("memberships__organisation")
        )

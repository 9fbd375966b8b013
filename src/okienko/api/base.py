"""Common behaviour of every REST API v1 view: token or session auth, scopes, rate limits,
cursor pagination, filtering and ordering, problem details (via the project exception handler)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django_filters import rest_framework as df
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, mixins, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from okienko.api.authentication import ApiTokenAuthentication
from okienko.api.pagination import ApiCursorPagination
from okienko.api.permissions import TokenScopes
from okienko.api.throttling import TokenRateThrottle
from okienko.core import audit
from okienko.core.ids import parse_uuid


class ApiViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]  # DRF's GenericViewSet is generic only in the stubs, not at run time
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, TokenScopes]
    throttle_classes = [TokenRateThrottle]
    pagination_class = ApiCursorPagination
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    read_scope: str | None = None
    write_scope: str | None = None
    # The field naming the organisation that owns a row; set where rows hold personal data, so
    # that a request for a row outside the caller's scope is logged as a security event.
    denial_scope_field: str | None = None

    def get_object(self) -> Any:
        return self.scoped_object(self.kwargs[self.lookup_url_kwarg or self.lookup_field])

    def scoped_object(self, value: str) -> Any:
        """The row named in the URL if the caller may see it. A row outside the caller's scope
        answers 404 like a missing one (nothing about it is revealed), and, as on the desk, the
        attempt is written to the audit log."""
        queryset = self.get_queryset()
        key = self._lookup_key(queryset.model, value)
        found = queryset.filter(**{self.lookup_field: key}).first() if key is not None else None
        if found is None:
            if key is not None and self.denial_scope_field is not None:
                hidden = queryset.model._default_manager.filter(**{self.lookup_field: key}).first()
                if hidden is not None:
                    owner = _owner_id(hidden, self.denial_scope_field)
                    audit.record_denied(self.request.user, hidden, organisation_id=owner, purpose="api")
            raise Http404
        self.check_object_permissions(self.request, found)
        return found

    def _lookup_key(self, model: Any, value: str) -> object:
        """The URL's key as the lookup field's value, or None when it cannot be one (a uuid where a
        number is kept, a number beyond the database's integer): such a row does not exist (404)."""
        if self.lookup_field == "uuid":
            return parse_uuid(value)
        field = model._meta.pk if self.lookup_field == "pk" else model._meta.get_field(self.lookup_field)
        if isinstance(field, models.IntegerField):  # AutoField and BigAutoField too
            digits = value.isascii() and value.isdigit()
            return int(value) if digits and len(value) <= 18 else None
        try:
            return field.to_python(value)
        except ValidationError:
            return None


def _owner_id(row: Any, field: str) -> int | None:
    """The organisation id at the end of ``field`` ("home_office", or a dotted path such as
    "cv.client.home_office" for rows that reach their owner through others)."""
    *path, last = field.split(".")
    for name in path:
        row = getattr(row, name, None)
        if row is None:
            return None
    owner = getattr(row, f"{last}_id", None)
    return owner if isinstance(owner, int) else None


class ReadOnlyApiViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    pass


class FilterSet(df.FilterSet):  # type: ignore[misc]  # django-filter ships no type information
    """The base of every list endpoint's filters (one place that subclasses the untyped library)."""


# Moments a filter can name: beyond them converting to UTC overflows (``0001-01-01T00:00+05:00``).
EARLIEST = dt.datetime(1000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)


class MomentFilter(df.IsoDateTimeFilter):  # type: ignore[misc]  # django-filter ships no type information
    """An ISO 8601 moment; one before the year 1000 or after 9000 is taken as that bound (it
    matches the same rows, and the database could not convert the moment given)."""

    def filter(self, qs: Any, value: dt.datetime | None) -> Any:
        if value is not None:
            value = min(max(value, EARLIEST), LATEST)
        return super().filter(qs, value)

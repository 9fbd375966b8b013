"""Common behaviour of every REST API v1 view: token or session auth, scopes, rate limits,
cursor pagination, filtering and ordering, problem details (via the project exception handler)."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, mixins, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from okienko.api.authentication import ApiTokenAuthentication
from okienko.api.pagination import ApiCursorPagination
from okienko.api.permissions import TokenScopes
from okienko.api.throttling import TokenRateThrottle


class ApiViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, TokenScopes]
    throttle_classes = [TokenRateThrottle]
    pagination_class = ApiCursorPagination
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    read_scope: str | None = None
    write_scope: str | None = None


class ReadOnlyApiViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):  # type: ignore[type-arg]
    pass

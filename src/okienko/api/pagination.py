"""Cursor pagination: stable under inserts, opaque ``next``/``previous`` links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination


class ApiCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any] | None:
        """A cursor is opaque but not signed: one whose position does not fit the ordering field
        (made up, or with a moment beyond the calendar) is an invalid cursor (404), never a 500."""
        if not request.query_params.get(self.cursor_query_param):
            return super().paginate_queryset(queryset, request, view)
        self._model = queryset.model
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, ValidationError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc

    def decode_cursor(self, request: Any) -> Cursor | None:
        """The cursor, checked before any database sees it: a moment that is no moment in UTC
        (0001-01-01 east of Greenwich, 9999-12-31 west of it) is refused on every database alike —
        PostgreSQL would take it and SQLite would not."""
        cursor = super().decode_cursor(request)
        if cursor is None or cursor.position is None or not self.ordering:
            return cursor
        name = self.ordering[0].lstrip("-")
        try:
            field = self._model._meta.get_field(name)
        except (AttributeError, FieldDoesNotExist):
            return cursor
        if isinstance(field, models.DateTimeField):
            moment = parse_datetime(str(cursor.position))
            if moment is None:
                raise NotFound(self.invalid_cursor_message)
            if moment.tzinfo is None:
                moment = timezone.make_aware(moment)
            moment.astimezone(dt.UTC)  # OverflowError beyond the calendar: an invalid cursor
        return cursor

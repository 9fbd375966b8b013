"""The service catalogue (read-only): services with their extra questions, and categories.

The catalogue holds no personal data; every caller with ``catalogue:read`` sees all of it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as df
from rest_framework import serializers

from okienko.api.base import FilterSet, ReadOnlyApiViewSet
from okienko.api.conditional import ConditionalRetrieveMixin
from okienko.api.models import Scope
from okienko.api.serializers import linked
from okienko.catalogue.models import Service, ServiceCategory, ServiceQuestion, ServiceQuestionChoice


class ChoiceSerializer(serializers.ModelSerializer[ServiceQuestionChoice]):
    class Meta:
        model = ServiceQuestionChoice
        fields = ["key", "name", "order"]
        read_only_fields = fields


class QuestionSerializer(serializers.ModelSerializer[ServiceQuestion]):
    choices = ChoiceSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceQuestion
        fields = ["code", "label", "datatype", "required", "order", "description", "choices"]
        read_only_fields = fields


class ServiceSerializer(serializers.ModelSerializer[Service]):
    organisation = linked("code")
    category = linked("code")
    responsible_unit = linked("code")
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Service
        fields = [
            "uuid", "organisation", "code", "category", "kind", "case_type", "public_name", "internal_name",
            "public_description", "internal_description", "keywords", "responsible_unit", "sla_basis", "response_due",
            "resolve_due", "location_required", "is_public", "active", "questions",
        ]  # fmt: skip
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer[ServiceCategory]):
    organisation = linked("code")
    parent = linked("code")  # type: ignore[assignment]  # a field named like Field.parent in the stubs

    class Meta:
        model = ServiceCategory
        fields = ["id", "organisation", "code", "name", "parent", "order", "active"]
        read_only_fields = fields


class ServiceFilter(FilterSet):
    organisation = df.CharFilter(field_name="organisation__code")
    category = df.CharFilter(field_name="category__code")

    class Meta:
        model = Service
        fields = ["organisation", "category", "kind", "is_public", "active"]


class ServiceViewSet(ConditionalRetrieveMixin, ReadOnlyApiViewSet):
    serializer_class = ServiceSerializer
    read_scope = Scope.CATALOGUE_READ
    lookup_field = "uuid"
    filterset_class = ServiceFilter
    ordering_fields = ["id", "code", "public_name"]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            Service.objects.all()
            .select_related("organisation", "category", "responsible_unit")
            .prefetch_related("questions__choices")
        )


class CategoryViewSet(ConditionalRetrieveMixin, ReadOnlyApiViewSet):
    serializer_class = CategorySerializer
    read_scope = Scope.CATALOGUE_READ
    filterset_fields = ["active"]
    ordering_fields = ["id", "code", "order"]

    def get_queryset(self) -> QuerySet[Any]:
        return ServiceCategory.objects.select_related("organisation", "parent")

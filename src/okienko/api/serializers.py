"""Serializers of the read-only organisation and staff endpoints, and shared field helpers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from okienko.accounts.models import Membership, Organisation, User


def linked(slug_field: str) -> serializers.SlugRelatedField[Any]:
    """A read-only reference to a related row by its ``code`` or ``uuid`` (null when unset)."""
    return serializers.SlugRelatedField(slug_field=slug_field, read_only=True, allow_null=True)


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    parent = linked("code")  # type: ignore[assignment]  # a field named like Field.parent in the stubs
    # Blank e-mail or website is "", which the OpenAPI e-mail and URI formats do not allow.
    email = serializers.CharField(read_only=True)
    website = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["uuid", "code", "name", "short_name", "kind", "parent", "email", "phone", "website", "active"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Membership
        fields = ["organisation", "role", "include_descendants"]
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer[User]):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["uuid", "username", "first_name", "last_name", "is_active", "memberships"]
        read_only_fields = fields

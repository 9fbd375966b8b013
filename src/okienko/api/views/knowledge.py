"""``GET /api/v1/knowledge/search``: ranked articles with highlighted snippets.

Without credentials only public articles are searched; a signed-in member of staff (session) or
a system with an API token (``Authorization: Bearer …``) holding the scope ``knowledge:read`` also
gets the internal articles its user may read. A token without that scope is refused (403), so a
token issued for, say, Open311 cannot be used to read internal instructions.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from okienko.api.authentication import ApiTokenAuthentication
from okienko.api.models import Scope
from okienko.api.permissions import TokenScopes, token_of
from okienko.knowledge import actions
from okienko.knowledge.models import Article, SearchLog
from okienko.knowledge.search import search

MAX_LIMIT = 50


class ResultSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    uuid = serializers.UUIDField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Article.Kind.choices)
    audience = serializers.ChoiceField(choices=Article.Audience.choices)
    language = serializers.CharField()
    snippet = serializers.CharField(help_text="HTML: escaped text with <mark> around matching words.")
    score = serializers.FloatField()
    url = serializers.CharField(help_text="Public page of a public article; empty for internal ones.")
    updated_at = serializers.DateTimeField()


class SearchResponseSerializer(serializers.Serializer[Any]):
    query = serializers.CharField()
    did_you_mean = serializers.CharField(allow_blank=True)
    has_more = serializers.BooleanField()
    results = ResultSerializer(many=True)


class ScopeIfToken(TokenScopes):
    """Anybody may search public articles; a caller with a token needs the view's ``read_scope``."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if token_of(request) is None:
            return True
        return super().has_permission(request, view)


class KnowledgeSearchView(APIView):
    authentication_classes = [SessionAuthentication, ApiTokenAuthentication]
    permission_classes = [AllowAny, ScopeIfToken]
    read_scope = str(Scope.KNOWLEDGE_READ)

    @extend_schema(
        operation_id="knowledge_search",
        summary="Search the knowledge base (Polish, inflection- and diacritics-insensitive)",
        description=(
            "Anonymous callers search public articles. A signed-in member of staff, or an API token "
            "with the scope `knowledge:read`, also searches the internal articles its user may read; "
            "a token without that scope gets 403 (problem details)."
        ),
        tags=["knowledge"],
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description="What to look for (max 200 chars)."),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Article.Kind.values, required=False),
            OpenApiParameter("topic", OpenApiTypes.STR, required=False, description="Topic slug."),
            OpenApiParameter("limit", OpenApiTypes.INT, required=False, description=f"1–{MAX_LIMIT}, default 10."),
        ],
        responses={200: SearchResponseSerializer},
    )
    def get(self, request: Request) -> Response:
        query = str(request.query_params.get("q", ""))[:500]
        limit_text = str(request.query_params.get("limit", "10"))
        limit = min(max(int(limit_text), 1), MAX_LIMIT) if limit_text.isdigit() else 10
        kind = str(request.query_params.get("kind", ""))
        user = request.user if request.user and request.user.is_authenticated else None
        results = search(
            query,
            user=user,
            scope=None if user else Article.objects.public(),
            kind=kind if kind in Article.Kind.values else "",
            topic=str(request.query_params.get("topic", ""))[:80],
            limit=limit,
        )
        if query.strip():
            actions.record_search(query=query, results=len(results), source=SearchLog.Source.API)
        data = {
            "query": results.query,
            "did_you_mean": results.did_you_mean,
            "has_more": results.has_more,
            "results": [
                {
                    "slug": r.article.slug,
                    "uuid": r.article.uuid,
                    "title": r.article.title,
                    "kind": r.article.kind,
                    "audience": r.article.audience,
                    "language": r.article.language,
                    "snippet": str(r.snippet),
                    "score": round(r.score, 6),
                    "url": reverse("knowledge_public:article", args=[r.article.slug])
                    if r.article.audience == Article.Audience.PUBLIC
                    else "",
                    "updated_at": r.article.updated_at,
                }
                for r in results.results
            ],
        }
        return Response(SearchResponseSerializer(data).data)

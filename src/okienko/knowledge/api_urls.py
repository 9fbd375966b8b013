from django.urls import path

from okienko.knowledge.api import KnowledgeSearchView

app_name = "knowledge_api"
urlpatterns = [
    path("search", KnowledgeSearchView.as_view(), name="search"),
]

from django.urls import path

from okienko.api.views.knowledge import KnowledgeSearchView

app_name = "knowledge_api"
urlpatterns = [
    path("search", KnowledgeSearchView.as_view(), name="search"),
]

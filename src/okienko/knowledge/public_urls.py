from django.urls import path

from okienko.knowledge.views import attachments, public

app_name = "knowledge_public"
urlpatterns = [
    path("", public.home_view, name="home"),
    path("szukaj", public.search_view, name="search"),
    path("temat/<slug:slug>/", public.topic_view, name="topic"),
    path("artykul/<slug:slug>/", public.article_view, name="article"),
    path("artykul/<slug:slug>/opinia", public.feedback_view, name="feedback"),
    path("artykul/<slug:slug>/zalacznik/<uuid:file_uuid>", attachments.public_download, name="attachment"),
]

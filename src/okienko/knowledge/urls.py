from django.urls import path

from okienko.knowledge.views import attachments, desk, editor

app_name = "knowledge"
urlpatterns = [
    path("", desk.search_view, name="search"),
    path("suggest", desk.suggest_view, name="suggest"),
    path("propose", desk.propose_view, name="propose"),
    path("a/<uuid:uuid>/", desk.article_view, name="article"),
    path("a/<uuid:uuid>/use", desk.use_view, name="use"),
    path("a/<uuid:uuid>/files/<uuid:file_uuid>", attachments.desk_download, name="attachment"),
    path("editor/", editor.article_list, name="editor"),
    path("editor/new", editor.article_edit, name="editor_new"),
    path("editor/<uuid:uuid>/", editor.article_edit, name="editor_edit"),
    path("editor/<uuid:uuid>/status", editor.article_transition, name="editor_transition"),
    path("editor/<uuid:uuid>/versions", editor.article_versions, name="editor_versions"),
    path("editor/<uuid:uuid>/restore", editor.article_restore, name="editor_restore"),
    path("editor/<uuid:uuid>/attachments", attachments.attachment_list, name="editor_attachments"),
    path(
        "editor/<uuid:uuid>/attachments/<uuid:file_uuid>/remove",
        attachments.attachment_remove,
        name="editor_attachment_remove",
    ),
    path("editor/proposals", editor.proposal_list, name="proposals"),
    path("editor/proposals/<int:pk>", editor.proposal_resolve, name="proposal_resolve"),
    path("editor/synonyms", editor.synonym_list, name="synonyms"),
    path("editor/analytics", editor.analytics_view, name="analytics"),
]

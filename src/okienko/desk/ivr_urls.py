"""The IVR editor's addresses under the desk's phone (issue 16)."""

from django.urls import path

from okienko.desk import ivr_views as views

app_name = "ivr"
urlpatterns = [
    path("desk/phone/ivr/", views.flow_list_view, name="flows"),
    path("desk/phone/ivr/numbers/", views.numbers_view, name="numbers"),
    path("desk/phone/ivr/numbers/<int:pk>/", views.number_view, name="number"),
    path("desk/phone/ivr/flows/<slug:code>/", views.editor_view, name="editor"),
    path("desk/phone/ivr/flows/<slug:code>/draft", views.new_draft_view, name="new_draft"),
    path("desk/phone/ivr/flows/<slug:code>/save", views.save_view, name="save"),
    path("desk/phone/ivr/flows/<slug:code>/validate", views.validate_view, name="validate"),
    path("desk/phone/ivr/flows/<slug:code>/publish", views.publish_view, name="publish"),
    path("desk/phone/ivr/flows/<slug:code>/test-call", views.testcall_view, name="testcall"),
    path("desk/phone/ivr/flows/<slug:code>/versions/", views.versions_view, name="versions"),
    path("desk/phone/ivr/flows/<slug:code>/versions/<int:number>/rollback", views.rollback_view, name="rollback"),
]

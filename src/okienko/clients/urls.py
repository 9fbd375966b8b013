from django.urls import path

from okienko.clients import views

app_name = "clients"
urlpatterns = [
    path("", views.desk_view, name="desk"),
    path("new/", views.register_view, name="register"),
    path("<str:client_uuid>/", views.card_view, name="card"),
    path("<str:client_uuid>/edit/", views.edit_view, name="edit"),
    path("<str:client_uuid>/pin/", views.pin_view, name="pin"),
    path("<str:client_uuid>/consents/", views.consent_view, name="consent"),
    path("<str:client_uuid>/contacts/", views.contact_view, name="contact"),
    path("<str:client_uuid>/relations/", views.relation_view, name="relation"),
    path("<str:client_uuid>/merge/", views.merge_view, name="merge"),
]

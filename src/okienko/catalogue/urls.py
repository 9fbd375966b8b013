from django.urls import path

from okienko.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.services_view, name="services"),
    path("<uuid:service_uuid>/", views.service_view, name="service"),
]

from django.urls import path

from okienko.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.home_view, name="home"),
]

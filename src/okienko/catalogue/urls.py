from typing import Any

app_name = "catalogue"
urlpatterns: list[Any] = []

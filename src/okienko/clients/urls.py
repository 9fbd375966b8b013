from typing import Any

app_name = "clients"
urlpatterns: list[Any] = []

from typing import Any

app_name = "interactions"
urlpatterns: list[Any] = []

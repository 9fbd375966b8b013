from typing import Any

app_name = "integrations"
urlpatterns: list[Any] = []

from typing import Any

app_name = "cases"
urlpatterns: list[Any] = []

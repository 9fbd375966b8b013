from typing import Any

app_name = "knowledge_api"
urlpatterns: list[Any] = []

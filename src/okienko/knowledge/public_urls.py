from typing import Any

app_name = "knowledge_public"
urlpatterns: list[Any] = []

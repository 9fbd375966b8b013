"""Settings, URL map, ASGI/WSGI and Celery entry points."""

from okienko.conf.celery import app as celery_app

__all__ = ["celery_app"]

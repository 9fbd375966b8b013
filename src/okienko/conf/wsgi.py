import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
_default = get_wsgi_application()

from okienko.conf.lean import LeanWSGIHandler, WSGIDispatch  # noqa: E402

application = WSGIDispatch(_default, LeanWSGIHandler())

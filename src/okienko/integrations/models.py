"""Models of the integration sub-packages (one Django app, label ``integrations``)."""

from okienko.integrations.open311.models import Open311Submission

__all__ = ["Open311Submission"]

"""Command-line entry point: ``okienko <command>`` or ``python -m okienko.manage``."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.conf.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    # Run as a file (``python src/okienko/manage.py``), Python puts this folder first on the path,
    # where ``channels`` would be Okienko's channel adapters instead of Django Channels.
    _here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _here]
    main()

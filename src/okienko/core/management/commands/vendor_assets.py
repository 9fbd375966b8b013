"""Copy front-end libraries installed by npm (locked in package-lock.json) into static/vendor."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

ASSETS = {
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    "@alpinejs/csp/dist/cdn.min.js": "alpine-csp.min.js",
    "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
    "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
    "leaflet/dist/images": "leaflet/images",
    "chart.js/dist/chart.umd.js": "chart.umd.js",
    "axe-core/axe.min.js": "axe.min.js",
    "cytoscape/dist/cytoscape.min.js": "cytoscape.min.js",
}


class Command(BaseCommand):
    help = "Copy front-end libraries from node_modules into the static vendor folder."

    def handle(self, *args: Any, **options: Any) -> None:
        node_modules = Path(settings.BASE_DIR if hasattr(settings, "BASE_DIR") else Path.cwd()) / "node_modules"
        if not node_modules.is_dir():
            node_modules = Path.cwd() / "node_modules"
        if not node_modules.is_dir():
            raise CommandError("node_modules is missing: run `npm ci` first (make install does).")
        target = Path(settings.PACKAGE_DIR) / "static" / "vendor"
        target.mkdir(parents=True, exist_ok=True)
        for source, dest in ASSETS.items():
            src = node_modules / source
            out = target / dest
            if not src.exists():
                raise CommandError(f"{src} is missing: the npm lockfile and ASSETS disagree.")
            out.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, out, dirs_exist_ok=True)
            else:
                shutil.copyfile(src, out)
        self.stdout.write(f"vendored {len(ASSETS)} assets into {target}")

"""Copy front-end libraries installed by npm (locked in package-lock.json) into static/vendor."""

from __future__ import annotations

import shutil
import subprocess
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
    # DejaVu Sans for the PDF reports (okienko.core.pdf, ADR 0062): reportlab's own Vera has no
    # ą, ę, ń, ś, ź, ż. Read from here by the server; the licence travels with the files.
    "dejavu-fonts-ttf/ttf/DejaVuSans.ttf": "fonts/DejaVuSans.ttf",
    "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf": "fonts/DejaVuSans-Bold.ttf",
    "dejavu-fonts-ttf/LICENSE": "fonts/DejaVu-LICENSE.txt",
}

# Libraries whose npm package ships only modules (no browser file): bundled with esbuild (a locked
# devDependency) into one IIFE script exposing a global. JsSIP (the consultants' browser phone)
# stopped shipping dist/ in 3.11.
BUNDLES = {
    "jssip/lib/JsSIP.js": ("jssip.min.js", "JsSIP"),
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
        esbuild = node_modules / ".bin" / "esbuild"
        for source, (dest, global_name) in BUNDLES.items():
            src = node_modules / source
            if not src.exists() or not esbuild.exists():
                raise CommandError(f"{src} or esbuild is missing: the npm lockfile and BUNDLES disagree.")
            command = [
                str(esbuild),
                str(src),
                "--bundle",
                "--minify",
                "--format=iife",
                f"--global-name={global_name}",
                "--platform=browser",
                "--legal-comments=inline",
                "--log-level=error",
                f"--outfile={target / dest}",
            ]
            result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
            if result.returncode != 0:
                raise CommandError(f"esbuild failed for {source}: {result.stderr.strip()}")
        self.stdout.write(f"vendored {len(ASSETS) + len(BUNDLES)} assets into {target}")

"""One Okienko installation in a child process, driven by a test (issue 18).

Reads one JSON object per line on stdin — ``{"code": "...", "vars": {...}}`` — runs the code in a
namespace kept between calls (so a step may leave objects for the next), and writes one JSON line
with ``result`` (whatever the code bound to ``result``) or ``error``. Django is set up once, with
the settings of the environment the test gave this process (its own var directory and database).
"""

from __future__ import annotations

import json
import sys
import traceback
from typing import Any


def main() -> None:
    import django

    django.setup()
    namespace: dict[str, Any] = {"__name__": "twin"}
    out = sys.stdout
    sys.stdout = sys.stderr  # anything the code prints must not break the protocol
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        namespace.update(request.get("vars", {}))
        namespace.pop("result", None)
        try:
            exec(compile(request["code"], "<twin step>", "exec"), namespace)  # noqa: S102 - test steps
            reply = {"result": namespace.get("result")}
        except Exception as exc:  # noqa: BLE001 - the test sees the error and the traceback
            reply = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:]}
        out.write(json.dumps(reply, default=str) + "\n")
        out.flush()


if __name__ == "__main__":
    main()

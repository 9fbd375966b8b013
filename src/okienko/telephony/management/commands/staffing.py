"""``okienko staffing``: how many agents a queue needs (Erlang C, or Erlang A with ``--patience``).

    okienko staffing --calls-per-hour 200 --aht 180 --target-sl 0.8 --target-seconds 20
    okienko staffing --calls-per-hour 200 --aht 180 --target-sl 0.9 --target-seconds 15 \\
        --patience 120 --shrinkage 0.3 --json
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from okienko.telephony.engine import erlang


def number(value: str) -> float:
    """A finite float (argparse's ``float`` also takes "nan" and "inf")."""
    parsed = float(value)
    if not math.isfinite(parsed):
        raise ValueError(value)
    return parsed


class Command(BaseCommand):
    help = "Agents needed for a service level: Erlang C, or Erlang A when callers' patience is given."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--calls-per-hour", type=number, required=True)
        parser.add_argument("--aht", type=number, required=True, help="average handling time, seconds")
        parser.add_argument("--target-sl", type=number, default=0.8, help="e.g. 0.8 for 80%% (default)")
        parser.add_argument("--target-seconds", type=number, default=15.0, help="answered within (default 15)")
        parser.add_argument("--patience", type=number, default=None, help="callers' mean patience, seconds")
        parser.add_argument("--shrinkage", type=number, default=0.0, help="share of paid time off the phones")
        parser.add_argument("--max-occupancy", type=number, default=1.0, help="e.g. 0.85 (default: no cap)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        self._validate(options)
        try:
            staffing = erlang.agents_for(
                options["calls_per_hour"],
                options["aht"],
                options["target_sl"],
                options["target_seconds"],
                shrinkage=options["shrinkage"],
                max_occupancy=options["max_occupancy"],
                patience=options["patience"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(self._as_json(staffing, options), ensure_ascii=False))
        else:
            self._table(staffing, options)

    def _validate(self, options: dict[str, Any]) -> None:
        """Checked here, not only in the engine, so that the messages are translated."""
        problems = []
        if options["calls_per_hour"] < 0:
            problems.append(_("--calls-per-hour must be 0 or more."))
        if options["aht"] <= 0:
            problems.append(_("--aht must be more than 0 seconds."))
        if not 0 < options["target_sl"] < 1:
            problems.append(_("--target-sl must be between 0 and 1, e.g. 0.8 for 80%."))
        if options["target_seconds"] < 0:
            problems.append(_("--target-seconds must be 0 or more."))
        if options["patience"] is not None and options["patience"] <= 0:
            problems.append(_("--patience must be more than 0 seconds."))
        if not 0 <= options["shrinkage"] < 1:
            problems.append(_("--shrinkage must be at least 0 and less than 1, e.g. 0.3 for 30%."))
        if not 0 < options["max_occupancy"] <= 1:
            problems.append(_("--max-occupancy must be more than 0 and at most 1."))
        if problems:
            raise CommandError(" ".join(problems))

    @staticmethod
    def _as_json(staffing: erlang.Staffing, options: dict[str, Any]) -> dict[str, Any]:
        result = staffing.as_dict()
        result["target_sl"] = options["target_sl"]
        result["target_seconds"] = options["target_seconds"]
        result["calls_per_hour"] = options["calls_per_hour"]
        result["aht"] = options["aht"]
        result["shrinkage"] = options["shrinkage"]
        result["patience"] = options["patience"]
        return result

    def _table(self, staffing: erlang.Staffing, options: dict[str, Any]) -> None:
        model = _("Erlang A (callers hang up)") if staffing.model == "erlang_a" else _("Erlang C (callers wait)")
        lines = [
            (_("Model"), model),
            (_("Traffic"), _("%(erlangs).2f Erlangs") % {"erlangs": staffing.traffic}),
            (_("Agents on the phones"), str(staffing.agents)),
            (
                _("Scheduled (shrinkage %(shrinkage)s)") % {"shrinkage": _percent(options["shrinkage"])},
                str(staffing.scheduled),
            ),
            (
                _("Service level (answered within %(seconds)s s)") % {"seconds": f"{options['target_seconds']:g}"},
                _percent(staffing.service_level),
            ),
            (_("Probability of waiting"), _percent(staffing.probability_of_waiting)),
            (_("Average speed of answer"), _("%(seconds).1f s") % {"seconds": staffing.asa_seconds}),
            (_("Occupancy"), _percent(staffing.occupancy)),
        ]
        if staffing.model == "erlang_a":
            lines.append((_("Abandoned calls"), _percent(staffing.probability_of_abandonment)))
        width = max(len(label) for label, _value in lines)
        for label, value in lines:
            self.stdout.write(f"{label:<{width}}  {value}")


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"

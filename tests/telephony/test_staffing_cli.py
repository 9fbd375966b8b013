"""``okienko staffing`` and the simulator's command line (``engine.cli.simulate_main``)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from okienko.telephony.engine import erlang


def staffing(*args: str) -> str:
    out = StringIO()
    call_command("staffing", *args, stdout=out)
    return out.getvalue()


def test_json_is_one_object_with_erlang_c_figures() -> None:
    output = staffing(
        "--calls-per-hour", "200", "--aht", "180", "--target-sl", "0.8", "--target-seconds", "20", "--json"
    )
    result = json.loads(output)
    assert result["model"] == "erlang_c"
    assert result["agents"] == 14
    assert result["scheduled"] == 14
    assert result["service_level"] == pytest.approx(erlang.service_level(200, 180, 14, 20))
    assert result["probability_of_waiting"] == pytest.approx(erlang.erlang_c(10, 14))
    assert result["asa_seconds"] == pytest.approx(erlang.asa(200, 180, 14))
    assert result["occupancy"] == pytest.approx(10 / 14)
    assert result["traffic"] == pytest.approx(10)


def test_json_with_patience_and_shrinkage_is_erlang_a() -> None:
    output = staffing(
        "--calls-per-hour", "200", "--aht", "180", "--target-sl", "0.8", "--target-seconds", "20",
        "--patience", "120", "--shrinkage", "0.3", "--json",
    )  # fmt: skip
    result = json.loads(output)
    expected = erlang.agents_for(200, 180, 0.8, 20, shrinkage=0.3, patience=120)
    assert result["model"] == "erlang_a"
    assert result["agents"] == expected.agents
    assert result["scheduled"] == expected.scheduled == -(-expected.agents * 10 // 7)
    assert result["probability_of_abandonment"] == pytest.approx(expected.probability_of_abandonment)
    assert result["service_level"] >= 0.8


def test_table_in_english_and_polish() -> None:
    args = ("--calls-per-hour", "200", "--aht", "180", "--target-sl", "0.8", "--target-seconds", "20")
    with translation.override("en"):
        english = staffing(*args)
    assert "Agents on the phones" in english
    assert "14" in english
    assert "88.8%" in english
    with translation.override("pl"):
        polish = staffing(*args, "--patience", "120")
    assert "Konsultanci przy telefonach" in polish
    assert "Erlang A" in polish


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--calls-per-hour", "-5", "--aht", "180"), "--calls-per-hour"),
        (("--calls-per-hour", "200", "--aht", "0"), "--aht"),
        (("--calls-per-hour", "200", "--aht", "180", "--target-sl", "80"), "--target-sl"),
        (("--calls-per-hour", "200", "--aht", "180", "--shrinkage", "1"), "--shrinkage"),
        (("--calls-per-hour", "200", "--aht", "180", "--patience", "0"), "--patience"),
        (("--calls-per-hour", "200", "--aht", "180", "--max-occupancy", "0"), "--max-occupancy"),
        (("--calls-per-hour", "lots", "--aht", "180"), "calls-per-hour"),
        (("--calls-per-hour", "nan", "--aht", "180"), "calls-per-hour"),
        (
            (
                "--aht",
                "180",
            ),
            "calls-per-hour",
        ),
    ],
)
def test_bad_input_is_a_command_error(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        staffing(*args)

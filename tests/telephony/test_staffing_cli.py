"""``okienko staffing`` and the simulator's command line (``engine.cli.simulate_main``)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from okienko.telephony.engine import erlang


def simulate_main(argv: list[str]) -> dict[str, Any]:
    from okienko.telephony.engine.cli import simulate_main as main

    return main(argv)


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


def test_simulate_main_agrees_with_erlang_c_and_the_staffing_command() -> None:
    """M/M/N: the agents ``staffing`` picks reach, in the simulated queue, the Erlang C figures
    it printed. A sanity check of the two front ends (80,000 calls: about 0.006 of run-to-run
    spread, hence ±0.02); test_simulate holds the precise check."""
    figures = json.loads(
        staffing("--calls-per-hour", "200", "--aht", "180", "--target-sl", "0.8", "--target-seconds", "20", "--json")
    )
    result = simulate_main(
        ["--calls-per-hour", "200", "--hours", "400", "--agents", str(figures["agents"]), "--aht", "180",
         "--target-seconds", "20", "--seed", "7", "--warmup", "3600", "--json"]
    )  # fmt: skip
    assert result["agents"] == 14
    assert result["calls"] > 75_000
    assert result["erlang_c"]["service_level"] == pytest.approx(figures["service_level"])
    assert result["erlang_c"]["probability_of_waiting"] == pytest.approx(figures["probability_of_waiting"])
    assert result["service_level"] == pytest.approx(figures["service_level"], abs=0.02)
    assert result["probability_of_waiting"] == pytest.approx(figures["probability_of_waiting"], abs=0.02)
    assert result["asa_seconds"] == pytest.approx(figures["asa_seconds"], abs=2.0)
    assert result["abandoned"] == 0
    json.dumps(result, allow_nan=False)


def test_simulate_main_with_profile_and_patience(tmp_path: Path) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps([0, 0, 1, 3]))
    result = simulate_main(
        ["--calls-per-hour", "100", "--hours", "4", "--agents", "5", "--aht", "120", "--target-seconds", "15",
         "--seed", "3", "--patience", "60", "--profile", str(profile), "--json"]
    )  # fmt: skip
    assert result["parameters"]["profile"] == [0.0, 0.0, 1.0, 3.0]
    # no calls in the first two hours: 4 h × 100/h, all of them in hours 3 and 4
    assert 300 < result["calls"] < 500
    assert result["answered"] + result["abandoned"] == result["calls"]
    assert "erlang_a" in result
    json.dumps(result, allow_nan=False)


@pytest.mark.parametrize(
    "argv",
    [
        ["--agents", "5", "--aht", "120"],
        ["--calls-per-hour", "100", "--agents", "0", "--aht", "120"],
        ["--calls-per-hour", "100", "--agents", "5", "--aht", "-1"],
        ["--calls-per-hour", "100", "--agents", "5", "--aht", "120", "--profile", "/nonexistent/profile.json"],
    ],
)
def test_simulate_main_rejects_bad_options(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        simulate_main(argv)
    assert exited.value.code == 2
    assert "error" in capsys.readouterr().err


def test_simulate_main_rejects_a_profile_that_is_not_a_list(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"9": 1}')
    with pytest.raises(SystemExit):
        simulate_main(["--calls-per-hour", "100", "--agents", "5", "--aht", "120", "--profile", str(bad)])
    zeros = tmp_path / "zeros.json"
    zeros.write_text("[0, 0]")
    with pytest.raises(SystemExit):
        simulate_main(["--calls-per-hour", "100", "--agents", "5", "--aht", "120", "--profile", str(zeros)])

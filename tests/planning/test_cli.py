"""``inquiry plan erlang``: the worked case from the command line, JSON out, bad input exit 2."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from inquiry.cli import main

WORKED = ["plan", "erlang", "--arrivals", "100", "--interval", "1800", "--aht", "180", "--target", "0.8",
          "--answer-within", "20", "--shrinkage", "0.3"]


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_worked_case_as_json():
    result = run(*WORKED, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["agents"], out["scheduled"], out["model"]) == (14, 20, "erlang_c")
    assert round(out["service_level"], 4) == 0.8884
    assert out["occupancy"] == pytest.approx(10 / 14)
    assert out["traffic_erlangs"] == 10
    assert out["wait_probability"] == pytest.approx(0.1741, abs=1e-4)
    assert out["asa_seconds"] == pytest.approx(7.84, abs=0.01)
    assert out["abandonment"] is None


def test_erlang_a_with_patience_and_an_occupancy_cap():
    out = json.loads(run(*WORKED, "--patience", "120", "--json").output)
    assert (out["model"], out["agents"], out["scheduled"]) == ("erlang_a", 12, 18)
    assert 0 < out["abandonment"] < 0.1 and out["service_level"] >= 0.8
    capped = json.loads(run(*WORKED, "--patience", "120", "--max-occupancy", "0.7", "--json").output)
    assert capped["agents"] > 12 and capped["occupancy"] <= 0.7
    assert capped["max_occupancy"] == 0.7 and capped["patience"] == 120


def test_plain_output_is_a_short_table():
    result = run(*WORKED)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) < 12
    assert any(line.split()[:2] == ["agents", "14"] for line in lines)
    assert any(line.split()[:2] == ["scheduled", "20"] for line in lines)
    assert "88.84%" in result.output and "71.43%" in result.output


def test_impatient_callers_get_a_warning_and_a_cap_fixes_it():
    flattered = run(*WORKED, "--patience", "10")
    assert flattered.exit_code == 0 and "warning:" in flattered.output and "--max-abandonment" in flattered.output
    capped = run(*WORKED, "--patience", "10", "--max-abandonment", "0.05", "--json")
    assert json.loads(capped.output)["abandonment"] <= 0.05


@pytest.mark.parametrize("change,message", [
    (["--arrivals", "-5"], "--arrivals"),
    (["--aht", "0"], "--aht"),
    (["--target", "1"], "--target"),
    (["--target", "0"], "--target"),
    (["--target", "80"], "--target"),
    (["--shrinkage", "1"], "--shrinkage"),
    (["--shrinkage", "-0.1"], "--shrinkage"),
    (["--interval", "0"], "--interval"),
    (["--answer-within", "-1"], "--answer-within"),
    (["--max-occupancy", "0"], "--max-occupancy"),
    (["--patience", "0"], "--patience"),
    (["--aht", "nan"], "not a finite number"),
    (["--arrivals", "inf"], "not a finite number"),
    (["--arrivals", "lots"], "--arrivals"),
    (["--max-abandonment", "0.1"], "needs --patience"),
    (["--arrivals", "1e15"], "beyond this planner"),
])
def test_bad_input_is_a_usage_error(change, message):
    args = list(WORKED)
    for i in range(0, len(change), 2):
        if change[i] in args:
            args[args.index(change[i]) + 1] = change[i + 1]
        else:
            args += change[i:i + 2]
    result = run(*args, "--json")
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_required_option_is_a_usage_error():
    result = run("plan", "erlang", "--arrivals", "100", "--json")
    assert result.exit_code == 2 and "Missing option" in result.output


def test_the_installed_command_runs_without_an_app_or_database(tmp_path):
    """One real process (a few seconds: the CLI imports every feature); the rest use CliRunner."""
    script = Path(sys.executable).with_name("inquiry")
    if not script.exists():
        pytest.skip("the console script is not installed in this environment")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("INQUIRY_", "FLASK_"))}
    done = subprocess.run([str(script), *WORKED, "--json"], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["agents"], out["scheduled"]) == (14, 20)

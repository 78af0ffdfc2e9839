"""`flashsim bench` runs every row on the toy bundle and writes bench.json and bench.png (no timing
is asserted: the machines are shared)."""

import json

from flashsim.cli import main


def test_bench_writes_every_row(tmp_path, capsys):
    assert main(["bench", "--bundle", "toy", "--events", "400", "--threads", "1", "--batch-events", "50",
                 "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "bench.json").read_text())
    assert (tmp_path / "bench.png").stat().st_size > 1000
    rows = {(r["row"], r["ode"]) for r in report["rows"]}
    assert {(1, "bundle"), (2, "bundle"), (3, "bundle"), (3, "dopri5 1e-05"), (4, "bundle")} <= rows
    for r in report["rows"]:
        assert r["events"] == 400 and r["events_per_second"] > 0
    cross = next(r for r in report["rows"] if r["row"] == 2)
    assert cross["evaluations_per_object_mean"] > 0 and cross["velocity_calls_per_event"] > 0
    printed = capsys.readouterr().out
    assert "row 2 / row 4" in printed and "flashsim simulate (cross-event" in printed


def test_solver_names():
    from flashsim.bench import _label, _parse_ode

    assert _parse_ode("distilled") == {"method": "distilled"} and _label({"method": "distilled"}) == "distilled"
    assert _label(_parse_ode("euler:20")) == "euler-20" and _label(_parse_ode("dopri5:1e-4")) == "dopri5 0.0001"
    assert _label(None) == "bundle"

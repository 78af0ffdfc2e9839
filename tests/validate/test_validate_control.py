"""The report's two-sample test beside its control (the reference made again with another seed):
the AUC with its bootstrap error, the control's, and what the difference means."""

import pytest

from flashsim import InputError
from flashsim.cli import main
from flashsim.validate import ProcessPair, validate_processes

FAST = {"collections": ["Jet", "PuppiMET"], "with_analyses": False, "log": lambda msg: None}


def _collections(report):
    (process,) = report["processes"].values()
    return process["collections"]


def test_distorted_is_beyond_its_control(nano_pair, tmp_path):
    files = nano_pair("ttbar", 300)
    report = validate_processes([ProcessPair("ttbar", files["distorted"], files["ref"], files["other"])],
                                tmp_path / "report", **FAST)
    jet = _collections(report)["Jet"]
    assert 0 < jet["auc"]["auc_error"] < 0.05 and jet["auc"]["n_test"] > 500
    assert abs(jet["auc_control"]["auc"] - 0.5) < 3 * jet["auc_control"]["auc_error"] + 0.01
    assert jet["auc_reading"]["beyond_control"] is True
    assert jet["auc_reading"]["text"].startswith("distinguishable")
    assert "this test sees" in jet["auc_reading"]["sensitivity"]
    page = (tmp_path / "report" / "index.html").read_text()
    assert "distinguishable:" in page and "this test sees" in page and "&plusmn;" in page


def test_the_control_itself_is_not_beyond(nano_pair, tmp_path):
    files = nano_pair("ttbar", 300)
    report = validate_processes([ProcessPair("ttbar", files["other"], files["ref"], files["other"])],
                                tmp_path / "report", **FAST)
    for info in _collections(report).values():
        assert info["auc"]["auc"] == info["auc_control"]["auc"]
        assert info["auc_reading"]["beyond_control"] is False
        assert info["auc_reading"]["text"].startswith("not distinguishable")


def test_control_of_other_events_is_refused(nano_pair, gen_file, tmp_path):
    from flashsim.refsim import reference_detector

    files = nano_pair("ttbar", 300)
    other_events = tmp_path / "other_events.root"
    reference_detector(str(gen_file("ttbar", 400, seed=5, jobs=2)), str(other_events), seed=3)
    with pytest.raises(InputError, match="does not hold the events of"):
        validate_processes([ProcessPair("ttbar", files["other"], files["ref"], other_events)], tmp_path / "r", **FAST)


def test_cli_control_needs_the_pair(nano_pair, tmp_path, capsys):
    files = nano_pair("ttbar", 300)
    code = main(["validate", "-o", str(tmp_path / "r"), "--process", "ttbar", str(files["other"]), str(files["ref"]),
                 "--control", str(files["other"])])
    assert code == 2 and "--control goes with NANO REFERENCE" in capsys.readouterr().err

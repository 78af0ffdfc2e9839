"""Bad gen input: a message naming the branch (or file/tree), and nothing written."""

import numpy as np
import pytest
from refsim_testing import rewrite_gen

from flashsim.errors import InputError
from flashsim.refsim import reference_detector


@pytest.mark.parametrize("branch", ["GenJet_hadronFlavour", "Pileup_nPU", "GenPart_statusFlags",
                                    "GenVisTau_status"])
def test_missing_branch_is_named(ttbar_gen, tmp_path, branch):
    bad = tmp_path / "bad.root"
    rewrite_gen(ttbar_gen, bad, drop={branch})
    out = tmp_path / "out.root"
    with pytest.raises(InputError, match=branch):
        reference_detector(str(bad), str(out))
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]


@pytest.mark.parametrize("branch,dtype", [("GenPart_pdgId", np.float32),
                                          ("GenJet_pt", np.int32),
                                          ("GenMET_pt", np.int64)])
def test_wrong_type_is_named(ttbar_gen, tmp_path, branch, dtype):
    bad = tmp_path / "bad.root"
    rewrite_gen(ttbar_gen, bad, retype={branch: dtype})
    out = tmp_path / "out.root"
    with pytest.raises(InputError, match=f"{branch}.*expected"):
        reference_detector(str(bad), str(out))
    assert not out.exists()


def test_the_good_copy_works(ttbar_gen, tmp_path):
    good = tmp_path / "good.root"
    rewrite_gen(ttbar_gen, good)
    info = reference_detector(str(good), str(tmp_path / "out.root"), seed=1)
    assert info["events"] == 20


def test_missing_file_and_tree(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        reference_detector(str(tmp_path / "nope.root"), str(tmp_path / "out.root"))
    text = tmp_path / "text.root"
    text.write_text("not a ROOT file")
    with pytest.raises(InputError, match="cannot open"):
        reference_detector(str(text), str(tmp_path / "out.root"))
    assert not (tmp_path / "out.root").exists()


def test_bad_options(ttbar_gen, tmp_path):
    with pytest.raises(InputError, match="seed"):
        reference_detector(str(ttbar_gen), str(tmp_path / "o.root"), seed=-1)
    with pytest.raises(InputError, match="overwrite"):
        reference_detector(str(ttbar_gen), str(ttbar_gen))


def test_cli_reports_the_error(ttbar_gen, tmp_path, capsys):
    from flashsim.cli import main

    bad = tmp_path / "bad.root"
    rewrite_gen(ttbar_gen, bad, drop={"GenJet_pt"})
    assert main(["reference", str(bad), "-o", str(tmp_path / "o.root"), "--quiet"]) == 2
    assert "GenJet_pt" in capsys.readouterr().err


def test_reco_file_as_input_is_refused(ttbar_gen, full_file, tmp_path):
    with pytest.raises(InputError, match="already has reco branches"):
        reference_detector(str(full_file(ttbar_gen)), str(tmp_path / "again.root"))
    assert not (tmp_path / "again.root").exists()


def test_file_size_limit_is_one_line_and_leaves_nothing(ttbar_gen, tmp_path):
    import resource
    import subprocess
    import sys

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    out = tmp_path / "out.root"
    proc = subprocess.run([sys.executable, "-m", "flashsim", "reference", str(ttbar_gen), "-o", str(out), "--seed", "1",
                           "--quiet"], preexec_fn=limit, capture_output=True, text=True, timeout=300)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("flashsim")]
    assert proc.returncode == 2 and len(errors) == 1 and "file-size limit" in errors[0], proc.stderr[-500:]
    assert "Traceback" not in proc.stderr and list(tmp_path.iterdir()) == []

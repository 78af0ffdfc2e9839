"""macros/simulate.C (plain ROOT, no Python) writes what ``flashsim simulate`` writes: Events,
Runs and LuminosityBlocks (copied from the input, or counted from its events) and provenance."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import uproot
from toy_gen import write_event_tree

from flashsim.rdf import plugin_paths
from flashsim.rdf.nanoaod_file import simulate_file

MACRO = Path(__file__).resolve().parents[2] / "macros" / "simulate.C"


def run_macro(gen, out, bundle, seed=5, threads=2):
    env = dict(os.environ, FLASHSIM_PREFIX=str(plugin_paths().library.parent.parent))
    root_exe = shutil.which("root", path=os.path.dirname(sys.executable)) or "root"
    cmd = [root_exe, "-b", "-q", "-l", f'{MACRO}("{gen}", "{out}", "{bundle}", {seed}, {threads})']
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc


@pytest.fixture(scope="module")
def weighted_gen(ROOT, tmp_path_factory):
    """Events with genWeight, two runs, no Runs tree."""
    folder = tmp_path_factory.mktemp("macro_gen")
    gen = write_event_tree(folder / "plain.root", n_events=300)
    out = folder / "gen.root"
    ROOT.RDataFrame("Events", str(gen)).Define("genWeight", "static_cast<float>(event % 4) - 1.0f").Redefine(
        "run", "static_cast<UInt_t>(1 + (event > 200))").Snapshot("Events", str(out))
    return out


@pytest.mark.parametrize("with_runs", [False, True])
def test_macro_bookkeeping_as_the_cli(ROOT, weighted_gen, tiny_bundle, tmp_path, with_runs):
    gen = weighted_gen
    if with_runs:  # an input with its own Runs/LuminosityBlocks: copied as they are
        gen = tmp_path / "gen_with_runs.root"
        shutil.copy(weighted_gen, gen)
        with uproot.update(gen) as f:
            f.mktree("Runs", {"run": np.uint32, "genEventCount": np.int64}).extend(
                {"run": np.array([7], np.uint32), "genEventCount": np.array([12345], np.int64)})
            f.mktree("LuminosityBlocks", {"run": np.uint32, "luminosityBlock": np.uint32}).extend(
                {"run": np.array([7], np.uint32), "luminosityBlock": np.array([9], np.uint32)})
    run_macro(gen, tmp_path / "macro.root", tiny_bundle)
    simulate_file(gen, tmp_path / "cli.root", tiny_bundle, seed=5, progress=False)
    with uproot.open(tmp_path / "macro.root") as m, uproot.open(tmp_path / "cli.root") as c:
        for name in ("Runs", "LuminosityBlocks"):
            a, b = m[name].arrays(library="np"), c[name].arrays(library="np")
            assert a.keys() == b.keys(), name
            for key in a:
                assert a[key].dtype == b[key].dtype and np.allclose(a[key], b[key]), (name, key)
        if with_runs:
            assert m["Runs"]["genEventCount"].array(library="np").tolist() == [12345]
        else:
            assert m["Runs"]["run"].array(library="np").tolist() == [1, 2]
            assert m["Runs"]["genEventCount"].array(library="np").sum() == 300
        info = json.loads(m["flashsim_simulate"].member("fTitle"))
        assert info["seed"] == 5 and info["made_by"] == "macros/simulate.C"
        order_m, order_c = np.argsort(m["Events"]["event"].array(library="np")), \
            np.argsort(c["Events"]["event"].array(library="np"))
        for a, b in zip(m["Events"]["Jet_pt"].array(library="np")[order_m],
                        c["Events"]["Jet_pt"].array(library="np")[order_c], strict=True):
            assert np.array_equal(a, b)

"""flashsim.rdf.simulate and ``flashsim simulate`` on a distributed RDataFrame: a local Dask
cluster of 2 worker processes (loopback only), started and stopped here. The workers receive the
plugin and the bundle from flashsim (flashsim.rdf.distributed), and their output is compared,
event by event, with the local multi-threaded one."""

import re
from pathlib import Path

import awkward as ak
import numpy as np
import pytest
import uproot

import flashsim.rdf
from flashsim import BundleError, FlashSimError
from flashsim.bundle.toy import write_toy_gen_tree
from flashsim.cli import main
from flashsim.errors import RuntimeLibraryError
from flashsim.rdf.dask_cluster import dask_client
from flashsim.rdf.distributed import prepare_plugin
from flashsim.rdf.nanoaod_file import read_provenance, simulate_file

ID = ["run", "luminosityBlock", "event"]
SEED = 11


@pytest.fixture(scope="module")
def client():
    with dask_client(local_workers=2) as client:
        yield client


@pytest.fixture(scope="module")
def gen_files(tmp_path_factory):
    """Two inputs, runs 1 and 2, with distinct event numbers."""
    folder = tmp_path_factory.mktemp("dask_gen")
    return [write_toy_gen_tree(folder / f"gen_run{run}.root", 400, seed=20 + run, run=run) for run in (1, 2)]


@pytest.fixture(scope="module")
def outputs(client, gen_files, tiny_bundle, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask_out")
    distributed = simulate_file(gen_files, folder / "dask.root", tiny_bundle, seed=SEED, executor=client,
                                progress=False)
    local = simulate_file(gen_files, folder / "local.root", tiny_bundle, seed=SEED, threads=2, progress=False)
    return distributed, local


def by_event(path, key=ID) -> dict:
    """Every Events branch of ``path``, entries sorted by ``key`` (run, luminosityBlock, event)."""
    with uproot.open(path) as f:
        arrays = f["Events"].arrays(library="ak")
    order = np.lexsort([ak.to_numpy(arrays[name]) for name in reversed(key)])
    return {name: arrays[name][order].to_list() for name in arrays.fields}


def test_distributed_output_equals_local_multithreaded(outputs, gen_files):
    distributed, local = outputs
    assert distributed.workers == 2 and local.workers == 0
    assert distributed.events == local.events == 800
    a, b = by_event(distributed.output), by_event(local.output)
    assert set(a) == set(b) and {"nJet", "Jet_pt", "Jet_genJetIdx", "FlashSim_weight"} <= set(a)
    assert len({(r, e) for r, e in zip(a["run"], a["event"], strict=True)}) == 800  # both files, distinct events
    assert set(a["run"]) == {1, 2}
    for name in a:  # bit-identical values, per event
        assert a[name] == b[name], name
    assert sum(a["nJet"]) > 0


def test_distributed_output_is_nanoaod_with_bookkeeping(ROOT, outputs):
    distributed, local = outputs
    with uproot.open(distributed.output) as d, uproot.open(local.output) as lo:
        assert {k.split(";")[0] for k in d.keys()} == {"Events", "Runs", "LuminosityBlocks", "flashsim_simulate"}
        for tree in ("Runs", "LuminosityBlocks"):
            assert d[tree].arrays(library="ak").to_list() == lo[tree].arrays(library="ak").to_list(), tree
        assert d["Events"]["nJet"].typename == "int32_t" and d["Events"]["Jet_pt"].typename == "float[]"
    f = ROOT.TFile.Open(str(distributed.output))
    assert f.Get("Events").GetLeaf("Jet_pt").GetLeafCount().GetName() == "nJet"
    f.Close()
    provenance = read_provenance(distributed.output)
    assert provenance["dask"]["workers"] == 2 and provenance["seed"] == SEED
    assert provenance["threads"] is None
    leftovers = [p.name for p in distributed.output.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # partition files and temporary output removed


def test_oversampled_distributed_equals_local(client, gen_files, tiny_bundle, tmp_path):
    distributed = simulate_file(gen_files, tmp_path / "dask.root", tiny_bundle, seed=SEED, oversample=2,
                                executor=client, progress=False)
    local = simulate_file(gen_files, tmp_path / "local.root", tiny_bundle, seed=SEED, oversample=2, progress=False)
    assert distributed.entries == local.entries == 1600
    a, b = by_event(distributed.output, ID + ["FlashSim_copy"]), by_event(local.output, ID + ["FlashSim_copy"])
    assert set(a["FlashSim_copy"]) == {0, 1}
    for name in a:
        assert a[name] == b[name], name


def test_workers_run_the_shipped_plugin(client, outputs):
    """The workers' libflashsim is the copy unpacked in their local directory, not the installed one."""
    workers = client.scheduler_info(n_workers=-1)["workers"]
    maps = client.run(Path("/proc/self/maps").read_text)  # the memory map of each worker process
    assert set(maps) == set(workers) and len(maps) == 2
    for address, text in maps.items():
        libraries = {line.split()[-1] for line in text.splitlines() if line.endswith("libflashsim.so")}
        assert len(libraries) == 1, libraries
        assert libraries.pop().startswith(workers[address]["local_directory"] + "/flashsim-plugin-")


def test_python_api_on_a_distributed_dataframe(ROOT, client, gen_files, tiny_bundle):
    names = [str(p) for p in gen_files]
    model = ("pt", "", 40, 0.0, 400.0)
    distributed = flashsim.rdf.simulate(ROOT.RDataFrame("Events", names, executor=client), tiny_bundle, seed=SEED)
    histogram = distributed.Filter("nJet >= 2").Histo1D(model, "Jet_pt")
    local = flashsim.rdf.simulate(ROOT.RDataFrame("Events", names), tiny_bundle, seed=SEED)
    expected = local.Filter("nJet >= 2").Histo1D(model, "Jet_pt")
    got = [histogram.GetBinContent(i) for i in range(42)]
    assert got == [expected.GetBinContent(i) for i in range(42)] and sum(got) > 0


def test_user_initialization_still_runs(ROOT, client, gen_files, tiny_bundle):
    """DistRDF keeps one per-task initialisation: flashsim's is chained after the user's."""
    from ROOT._distrdf.Backends.Base import BaseBackend

    previous = BaseBackend.initialization
    declare = ("import ROOT\nROOT.gInterpreter.Declare('#ifndef USER_INIT_DONE\\n#define USER_INIT_DONE\\n"
               "double user_scale(double x) { return 3 * x; }\\n#endif')")
    try:
        ROOT.RDF.Distributed.initialize(exec, declare)
        df = ROOT.RDataFrame("Events", [str(p) for p in gen_files], executor=client)
        nano = flashsim.rdf.simulate(df, tiny_bundle, seed=SEED).Define("three", "user_scale(1.0)")
        assert nano.Sum("three").GetValue() == 3 * 800
    finally:
        BaseBackend.initialization = previous


def test_cli_on_a_dask_scheduler(client, gen_files, tiny_bundle, outputs, tmp_path, capsys):
    out = tmp_path / "cli.root"
    assert main(["simulate", *map(str, gen_files), "-o", str(out), "--bundle", str(tiny_bundle), "--seed", str(SEED),
                 "--dask", client.scheduler.address, "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "800 events" in printed and "2 Dask worker(s)" in printed
    assert by_event(out) == by_event(outputs[1].output)


def test_cli_threads_are_not_for_dask(gen_files, tiny_bundle, tmp_path, capsys):
    assert main(["simulate", str(gen_files[0]), "-o", str(tmp_path / "x.root"), "--bundle", str(tiny_bundle),
                 "--dask-local", "2", "--threads", "2"]) == 2
    assert "--threads applies to one process" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_worker_without_the_bundle_names_it(ROOT, client, gen_files, tiny_bundle, tmp_path):
    """ship_bundle=False: the workers read the bundle where the client saw it; here it is gone by
    the time the tasks run (a file system that the workers do not mount)."""
    import shutil

    bundle = Path(shutil.copytree(tiny_bundle, tmp_path / "shared_bundle"))
    df = ROOT.RDataFrame("Events", [str(p) for p in gen_files], executor=client)
    count = flashsim.rdf.simulate(df, bundle, seed=SEED, ship_bundle=False).Count()
    shutil.rmtree(bundle)
    with pytest.raises(BundleError, match=rf"dask worker tcp://127\.0\.0\.1:\d+: model bundle {re.escape(str(bundle))} "
                                          "has no bundle.json"):
        count.GetValue()


def test_worker_without_the_plugin_archive_names_it(client):
    future = client.submit(prepare_plugin, "flashsim-plugin-0000.tar", pure=False)
    with pytest.raises(FlashSimError, match=r"dask worker .*: the FlashSim plugin archive .*flashsim-plugin-0000\.tar "
                                            "is missing"):
        future.result()


def test_worker_without_onnxruntime_names_it(gen_files, tiny_bundle, tmp_path):
    """A fresh worker whose environment points at an ONNX Runtime library that is not there."""
    missing = "/nonexistent/libonnxruntime.so.1"
    out = tmp_path / "nano.root"
    with dask_client(local_workers=1, env={"FLASHSIM_ONNXRUNTIME_LIBRARY": missing}) as client:
        with pytest.raises(RuntimeLibraryError, match=rf"dask worker .*: the ONNX Runtime library {re.escape(missing)} "
                                                      r"\(from \$FLASHSIM_ONNXRUNTIME_LIBRARY\) does not exist"):
            simulate_file(gen_files, out, tiny_bundle, seed=SEED, executor=client, progress=False)
    assert list(tmp_path.iterdir()) == []  # no output, no partition folder

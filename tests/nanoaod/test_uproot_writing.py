"""What flashsim.nanoaod promises every writer: a TTree, Int_t counters (as NanoAOD v12-v15), clusters for MT."""

import awkward as ak
import numpy as np
import uproot

from flashsim.nanoaod import extend_in_clusters, make_events_tree, tnamed, types_of


def write(path, n=2500, pieces=(700, 1100, 700)):
    rng = np.random.default_rng(1)
    counts = rng.integers(0, 4, n)
    data = {"event": np.arange(n, dtype=np.uint64),
            "Jet": ak.unflatten(ak.zip({"pt": rng.uniform(20, 50, counts.sum()).astype(np.float32)}), counts)}
    with uproot.recreate(path) as f:
        tree = make_events_tree(f, types_of(data), cluster_size=1000)
        start = 0
        for size in pieces:
            extend_in_clusters(tree, {k: v[start:start + size] for k, v in data.items()}, cluster_size=1000)
            start += size
        f["flashsim_test"] = tnamed("flashsim_test", '{"a": 1}')
    return data


def test_ttree_with_nanoaod_counters_and_metadata(tmp_path):
    data = write(tmp_path / "t.root")
    with uproot.open(tmp_path / "t.root") as f:
        events = f["Events"]
        assert isinstance(events, uproot.TTree)
        assert events["nJet"].interpretation.from_dtype == np.dtype(">i4")
        assert ak.all(events["Jet_pt"].array() == data["Jet"].pt)
        assert f["flashsim_test"].member("fTitle") == '{"a": 1}'


def test_clusters_give_implicit_mt_its_tasks(ROOT, tmp_path):
    write(tmp_path / "t.root")
    file = ROOT.TFile.Open(str(tmp_path / "t.root"))
    tree = file.Get("Events")
    clusters = tree.GetClusterIterator(0)
    starts, start = [], clusters()
    while start < tree.GetEntries():
        starts.append(int(start))
        start = clusters()
    assert starts == [0, 1000, 2000]
    assert ROOT.TNamed.Class() == file.Get("flashsim_test").IsA()
    ROOT.EnableImplicitMT(2)
    try:
        for _ in range(5):  # on a loaded machine one thread may take all three tasks: retry
            # some work per entry, so that the second thread wakes up before the first is done
            df = (ROOT.RDataFrame("Events", str(tmp_path / "t.root"))
                  .Define("work", "double s = 0; for (int i = 0; i < 20000; ++i) s += std::sin(i + rdfentry_); "
                                  "return s;")
                  .Define("slot", "rdfslot_"))
            slots = set(df.AsNumpy(["slot", "work"])["slot"])
            if len(slots) == 2:
                break
    finally:
        ROOT.DisableImplicitMT()
    assert len(slots) == 2

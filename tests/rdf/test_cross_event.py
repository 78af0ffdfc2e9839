"""Cross-event batching: the events of a thread simulated B at a time give output bit-identical to one
event at a time, whatever B (a batch boundary inside the data, B larger than the file), the number of
threads, events without objects, oversampling; and the lazy per-event API agrees with both."""

import numpy as np
import pytest
import uproot

from flashsim.bundle import default_bundle
from flashsim.rdf.nanoaod_file import read_provenance, simulate_file

ID = ["run", "luminosityBlock", "event"]


@pytest.fixture(scope="module")
def gen_with_empty_events(gen_file, tmp_path_factory, ROOT):
    """300 Pythia ttbar events; every fifth has no gen jets at all (so no Jet <- GenJet candidate)."""
    gen = gen_file("ttbar", 300, seed=21, jobs=2)
    out = tmp_path_factory.mktemp("cross") / "gen_empty.root"
    df = ROOT.RDataFrame("Events", str(gen))
    columns = [str(c) for c in df.GetColumnNames()]
    for c in columns:
        if c.startswith("GenJet_"):
            df = df.Redefine(c, f"rdfentry_ % 5 == 0 ? std::decay_t<decltype({c})>{{}} : {c}")
    df = df.Redefine("nGenJet", "rdfentry_ % 5 == 0 ? decltype(nGenJet)(0) : nGenJet")
    df.Snapshot("Events", str(out), columns)
    return out


def _events(path):
    """{branch: [per event]} sorted by (run, luminosityBlock, event), every branch of Events."""
    with uproot.open(path) as f:
        tree = f["Events"]
        arrays = tree.arrays(library="np")
    order = np.lexsort([arrays[k] for k in reversed(ID)])
    return {k: v[order] for k, v in arrays.items()}


def _identical(a, b):
    assert set(a) == set(b)
    for name in a:
        x, y = a[name], b[name]
        assert len(x) == len(y), name
        if x.dtype == object:
            for u, v in zip(x, y, strict=True):
                assert np.asarray(u).tobytes() == np.asarray(v).tobytes(), name
        else:
            assert x.tobytes() == y.tobytes(), name


@pytest.fixture(scope="module")
def per_event(gen_with_empty_events, tmp_path_factory):
    out = tmp_path_factory.mktemp("per_event") / "nano.root"
    simulate_file(gen_with_empty_events, out, seed=9, batch_events=1, progress=False)
    return out


@pytest.mark.parametrize("batch_events, threads", [(7, 1), (64, 2), (100_000, 1), (1000, 2)])
def test_cross_event_is_bit_identical_to_per_event(gen_with_empty_events, per_event, tmp_path, batch_events, threads):
    out = tmp_path / "nano.root"
    summary = simulate_file(gen_with_empty_events, out, seed=9, batch_events=batch_events, threads=threads,
                            progress=False)
    assert summary.events == 300 and read_provenance(out)["batch_events"] == batch_events
    reference = _events(per_event)
    assert np.any(reference["nJet"] == 0) or np.any(reference["nMuon"] == 0)  # events with no objects are in
    _identical(_events(out), reference)
    assert not list(tmp_path.glob(".*flashsim-batch*")), "partition files left behind"


def test_the_lazy_api_agrees(ROOT, gen_with_empty_events, per_event):
    import flashsim.rdf

    api = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen_with_empty_events)), default_bundle(), seed=9)
    expected = api.AsNumpy(["event", "Jet_pt", "Muon_pt", "nJet"])
    written = _events(per_event)
    order = np.argsort(expected["event"])
    assert np.array_equal(np.asarray(expected["nJet"])[order], written["nJet"])
    for name in ("Jet_pt", "Muon_pt"):
        for a, b in zip(np.asarray(expected[name], dtype=object)[order], written[name], strict=True):
            assert np.asarray(a, np.float32).tobytes() == np.asarray(b).tobytes(), name


def test_oversampled_cross_event_is_bit_identical(gen_with_empty_events, tmp_path):
    a, b = tmp_path / "a.root", tmp_path / "b.root"
    simulate_file(gen_with_empty_events, a, seed=9, oversample=2, batch_events=1, progress=False,
                  collections=["Jet", "Muon"])
    simulate_file(gen_with_empty_events, b, seed=9, oversample=2, batch_events=50, threads=2, progress=False,
                  collections=["Jet", "Muon"])
    with uproot.open(a) as f:
        copies = f["Events"]["FlashSim_copy"].array(library="np")
    assert sorted(set(copies.tolist())) == [0, 1]

    def keyed(path):
        arrays = _events(path)
        order = np.lexsort([arrays["FlashSim_copy"], arrays["event"]])
        return {k: v[order] for k, v in arrays.items()}

    _identical(keyed(a), keyed(b))


def test_batch_events_is_checked(gen_with_empty_events, tmp_path):
    from flashsim import InputError

    with pytest.raises(InputError, match="batch_events must be an integer in"):
        simulate_file(gen_with_empty_events, tmp_path / "x.root", seed=9, batch_events=0, progress=False)
    assert not (tmp_path / "x.root").exists()


def test_several_files_and_threads(gen_file, tmp_path):
    """A chain of files on 2 threads: the entries of loop 1 and loop 2 are matched by file and entry
    (rdfentry_ of a chain differs between event loops with implicit MT)."""
    ttbar = gen_file("ttbar", 300, seed=21, jobs=2)
    files = [ttbar, gen_file("dy", 200, seed=22, jobs=2, run=2), ttbar]
    a, b = tmp_path / "a.root", tmp_path / "b.root"
    simulate_file(files, a, seed=9, batch_events=1, progress=False, collections=["Jet", "Muon", "PuppiMET"])
    simulate_file(files, b, seed=9, batch_events=33, threads=2, progress=False, collections=["Jet", "Muon", "PuppiMET"])
    with uproot.open(a) as f:
        assert f["Events"].num_entries == 800
    _identical(_events(a), _events(b))

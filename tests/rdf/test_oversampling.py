"""Oversampling: K independent reco realisations of each gen event, written as K events that
keep run/luminosityBlock/event, with FlashSim_copy and FlashSim_weight = 1/K; Runs counts gen
events."""

import numpy as np
import pytest
import uproot
from test_sources import write_source_bundle
from toy_gen import write_event_tree

import flashsim.rdf
from flashsim.rdf.nanoaod_file import simulate_file

K = 3


@pytest.fixture(scope="module")
def source_bundle(tmp_path_factory):
    return write_source_bundle(tmp_path_factory.mktemp("sources"))


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    return write_event_tree(tmp_path_factory.mktemp("gen") / "gen.root", n_events=400)


@pytest.fixture(scope="module")
def outputs(gen, source_bundle, tmp_path_factory):
    folder = tmp_path_factory.mktemp("oversampled")
    files = {}
    for name, k, threads in (("single", 1, 1), ("k1", K, 1), ("k2", K, 2)):
        files[name] = folder / f"{name}.root"
        simulate_file(gen, files[name], source_bundle, seed=7, oversample=k, threads=threads, progress=False)
    return files


def arrays(path):
    with uproot.open(path) as f:
        return f["Events"].arrays(library="np"), f["Runs"].arrays(library="np")


def test_k_events_per_gen_event_with_copy_and_weight(outputs, gen):
    events, runs = arrays(outputs["k1"])
    gen_events = uproot.open(gen)["Events"].arrays(["run", "luminosityBlock", "event"], library="np")
    n = len(gen_events["event"])
    assert len(events["event"]) == K * n
    # one thread: K consecutive blocks (copy 0 of every event, then copy 1, ...), each in input order
    assert np.array_equal(events["FlashSim_copy"], np.repeat(np.arange(K), n))
    for name in ("run", "luminosityBlock", "event"):
        assert np.array_equal(events[name], np.tile(gen_events[name], K))
    assert events["FlashSim_weight"].dtype == np.float32 and np.all(events["FlashSim_weight"] == np.float32(1 / K))
    assert runs["genEventCount"].tolist() == [n]  # gen events, not copies
    with uproot.open(outputs["k1"]) as f:
        assert f["Events"]["FlashSim_copy"].typename == "uint16_t"
        assert f["Events"]["nJet"].typename == "int32_t"
        assert f["LuminosityBlocks"].num_entries == 4


def test_copy_zero_is_the_plain_simulation(outputs):
    single, _ = arrays(outputs["single"])
    over, _ = arrays(outputs["k1"])
    n = len(single["event"])
    for name in ("nJet", "Jet_pt", "Muon_pt", "MET_pt", "Muon_jetIdx"):
        for a, b in zip(single[name], over[name][:n], strict=True):
            assert np.array_equal(np.asarray(a), np.asarray(b)), name


def test_copies_differ(outputs):
    events, _ = arrays(outputs["k1"])
    n = len(events["event"]) // K
    met = events["MET_pt"].reshape(K, n)
    assert all(not np.array_equal(met[a], met[b]) for a in range(K) for b in range(a + 1, K))
    assert np.all(met[0] != met[1])  # the event-level source: a new draw in every event
    jets = [np.concatenate(events["Jet_pt"][k * n:(k + 1) * n]) for k in range(K)]
    assert len({len(j) for j in jets}) > 1 or not np.array_equal(jets[0], jets[1])  # efficiency redrawn too
    n_jets = events["nJet"].reshape(K, n)
    assert np.any(n_jets[0] != n_jets[1])


def test_one_and_two_threads_identical_per_event_and_copy(outputs):
    one, _ = arrays(outputs["k1"])
    two, _ = arrays(outputs["k2"])
    key_one = np.lexsort((one["event"], one["FlashSim_copy"]))
    key_two = np.lexsort((two["event"], two["FlashSim_copy"]))
    for name in one:
        for a, b in zip(one[name][key_one], two[name][key_two], strict=True):
            assert np.array_equal(np.asarray(a), np.asarray(b)), name


def test_live_graph_copies_match_the_file(ROOT, gen, source_bundle, outputs):
    """simulate(copy=k) on an RDataFrame gives what the file holds for copy k."""
    events, _ = arrays(outputs["k1"])
    n = len(events["event"]) // K
    live = flashsim.rdf.simulate(ROOT.RDataFrame("Events", str(gen)), source_bundle, seed=7, copy=2)
    met = live.AsNumpy(["MET_pt"])["MET_pt"]
    assert np.array_equal(met, events["MET_pt"][2 * n:])

"""The catalogue follows the file: on the reference detector's branches it covers everything the
reference detector writes, with NanoAOD names only and the file's types."""

import pytest

from flashsim import catalogue
from flashsim.catalogue.follow import follow_file
from flashsim.rdf.operations import define
from flashsim.refsim.schema import COLLECTIONS, SCALARS


def reference_types():
    """{branch: RDataFrame column type} of a reference-detector file (its schema)."""
    types = {f"{c}_{f}": f"ROOT::VecOps::RVec<{t}>" for c, fields in COLLECTIONS.items() for f, t, _ in fields}
    return types | {name: t for name, t, _ in SCALARS}


def followed():
    """(the catalogue's sources with the reference detector's targets, the postprocess entries)."""
    sources = catalogue.sources()
    entries = follow_file(sources, reference_types())
    return [s for s in sources if s.targets], entries


def covered():
    sources, entries = followed()
    names = set()
    for s in sources:
        names |= {f"{s.collection}_{t.branch}" for t in s.targets}
        names |= {f"{s.collection}_{c.branch}" for c in s.copies}
        if s.index_branch:
            names.add(f"{s.collection}_{s.index_branch}")
    return names | {p["column"] for p in entries}


def test_every_reco_branch_of_the_simulated_collections_is_covered():
    """Every collection the reference detector writes (Tau, FsrPhoton, LowPtElectron and SubJet since v12)."""
    reference = {f"{c}_{f}" for c, fields in COLLECTIONS.items() for f, *_ in fields}
    reference |= {name for name, *_ in SCALARS}
    missing = reference - covered()
    assert not missing, sorted(missing)
    assert not (covered() - reference), sorted(covered() - reference)  # nothing invented


def test_types_follow_the_file():
    types = {f"{c}_{f}": t for c, fields in COLLECTIONS.items() for f, t, _ in fields}
    types |= {name: t for name, t, _ in SCALARS}
    for s in followed()[0]:
        for t in list(s.targets) + list(s.copies):
            assert t.type == types[f"{s.collection}_{t.branch}"], (s.key, t.branch)


def test_sources_of_a_collection_write_the_same_branches():
    """The same branches with the same types; in any order (Tau_mass is copied from GenVisTau_mass by one source and
    learnt by the other: the loader writes each branch in the collection's column, SourceSpec::column)."""
    by_collection = {}
    for s in followed()[0]:
        branches = sorted([(t.branch, t.type) for t in s.targets] + [(c.branch, c.type) for c in s.copies])
        by_collection.setdefault(s.collection, []).append(branches)
    for name, lists in by_collection.items():
        assert all(b == lists[0] for b in lists), name


def test_fake_muons_draw_their_origin():
    """The reference detector writes genPartFlav 0 (punch-through) or 3 (a light-hadron decay in flight)
    for a muon from a GenJet: the fake source draws it with its label head, not a constant 0."""
    by_key = {s.key: s for s in followed()[0]}
    fake = by_key["Muon_FromJet"]
    assert "genPartFlav" in {t.branch for t in fake.label_targets}
    assert "genPartFlav" not in {c.branch for c in fake.copies}


def test_shared_supercluster_links_keep_the_gen_index():
    """Electron_photonIdx and Photon_electronIdx pair objects of one gen particle: they read the gen index
    the matched sources write, so the postprocess entries are kept (not dropped as unsimulated)."""
    entries = {e["column"]: e for e in followed()[1]}
    for column, other in (("Electron_photonIdx", "Photon"), ("Photon_electronIdx", "Electron")):
        assert entries[column]["op"] == "same_gen_index" and entries[column]["to"] == other
        assert entries[column]["index"] == "genPartIdx"


_GEN = ("GenPart", "GenJet", "GenJetAK8", "GenVisTau", "GenMET", "Pileup")


def _derived_reads(column, by_name):
    """Every branch a derived column reads, through the derived columns it reads."""
    out = set()
    for c in catalogue.entry_inputs(by_name[column]):
        out |= _derived_reads(c, by_name) if c in by_name else {c}
    return out


def test_inputs_are_nanoaod_gen_branches_derived_columns_or_earlier_simulated_collections():
    """A source reads gen branches, derived columns, and the branches of collections the catalogue lists (and the
    bundle simulates) before its own (Tau <- Jet, FsrPhoton <- Muon, SubJet <- FatJet, the MET <- Jet)."""
    by_name = {d["column"]: d for d in catalogue.DERIVED}
    order = catalogue.COLLECTIONS
    for s in catalogue.sources():
        earlier = order[:order.index(s.collection)]
        for column in s.columns():
            reads = _derived_reads(column, by_name) if column in by_name else {column}
            for branch in reads - {"@index"}:
                prefix = branch.split("_")[0]
                assert prefix in _GEN or prefix in earlier, (s.key, column, branch)
    for d in catalogue.DERIVED:
        for column in catalogue.entry_inputs(d):
            assert column in by_name or column.split("_")[0] in (*_GEN, *order), column


def test_built_from_simulated_collections():
    """The new collections of v12 read FlashSim's own objects: the fake taus their jet, the FSR photons the
    distance to the nearest muon, the subjets their fat jet, the MET the jets."""
    by_key = {s.key: s for s in catalogue.sources()}
    assert by_key["Tau_FromJet"].gen_collection == "Jet"
    assert by_key["SubJet_Harder"].gen_collection == "FatJet" and by_key["SubJet_Softer"].occurrence == 1
    assert "GenPart_recoMuonDR" in by_key["FsrPhoton_GenPhoton"].select
    assert "RecoJets_alongGenMET" in by_key["PuppiMET_Event"].columns()
    assert not any(c.startswith("Reco") for c in by_key["PV_Event"].columns())


def test_unknown_collection():
    from flashsim.errors import InputError

    with pytest.raises(InputError, match="unknown collection"):
        catalogue.sources(["Jets"])


def test_per_source_network_settings():
    from flashsim.errors import InputError
    from flashsim.train.config import load_config

    config = load_config({"velocity_field": {"hidden": 64},
                          "sources": {"Jet_GenJet": {"velocity_field": {"hidden": 192}}}})
    assert config.network("velocity_field", "Jet_GenJet").hidden == 192
    assert config.network("velocity_field", "Muon_GenMuon").hidden == 64
    assert config.network("efficiency", "Jet_GenJet") == config.efficiency
    with pytest.raises(InputError, match=r"sources.Jet_GenJet.velocity_field: unknown keys \['width'\]"):
        load_config({"sources": {"Jet_GenJet": {"velocity_field": {"width": 192}}}})
    with pytest.raises(InputError, match=r"sources.Jet_GenJet: expected some of"):
        load_config({"sources": {"Jet_GenJet": {"flow": {}}}})


def test_jet_eta_bins_are_one_hot(ROOT):
    """The JER |eta| bin indicators of a GenJet (derived columns, defined by RDataFrame as in the
    simulation): exactly one is 1, the one whose [lo, hi) holds |eta|, edges included on the left."""
    import numpy as np

    from flashsim.catalogue.gen import JER_ETA_EDGES, eta_bin_columns

    etas = [0.0, -0.49, 0.5, 1.29, -1.3, 1.5, -2.99, 3.0, 3.2, -4.7, 6.0]
    df = ROOT.RDataFrame(1).Define("GenJet_eta", "ROOT::RVecF{" + ", ".join(f"{e}f" for e in etas) + "}")
    for d in catalogue.derived_columns(eta_bin_columns("GenJet")):
        df = df.Define(d["column"], define(d)[0])
    out = df.AsNumpy(eta_bin_columns("GenJet"))
    bins = np.stack([np.asarray(out[c][0]) for c in eta_bin_columns("GenJet")], axis=1)
    np.testing.assert_array_equal(bins.sum(axis=1), 1)
    expected = np.searchsorted(np.float32(JER_ETA_EDGES), np.abs(np.float32(etas)), side="right") - 1  # in float
    np.testing.assert_array_equal(bins.argmax(axis=1), expected)


def test_jet_lepton_content(ROOT):
    """GenJet_muonPtFraction: the pt of the status-1 gen muons within Delta R < 0.4 of a GenJet over
    the jet's pt, computed by RDataFrame (derived column) and checked against NumPy."""
    import numpy as np

    jets = {"pt": [50.0, 20.0, 0.0], "eta": [0.0, 2.0, 1.0], "phi": [3.1, 0.0, 0.0]}
    # muon inside jet 0 across phi = pi, a muon at Delta R 0.41 of jet 1, a status-2 muon, an electron
    parts = {"pt": [5.0, 3.0, 7.0, 4.0, 2.0], "eta": [0.1, 2.41, 0.0, 0.0, 2.0], "phi": [-3.1, 0.0, 3.1, 3.0, 0.1],
             "pdgId": [13, -13, 13, 11, -13], "status": [1, 1, 2, 1, 1]}
    df = ROOT.RDataFrame(1)
    for name, values in jets.items():
        df = df.Define(f"GenJet_{name}", "ROOT::RVecF{" + ", ".join(f"{v}f" for v in values) + "}")
    for name, values in parts.items():
        kind = "ROOT::RVecI{" if name in ("pdgId", "status") else "ROOT::RVecF{"
        df = df.Define(f"GenPart_{name}", kind + ", ".join(f"{v}" + ("" if "I" in kind else "f") for v in values) + "}")
    df = df.Define("GenPart_statusFlags", "ROOT::RVec<UShort_t>(GenPart_pt.size(), 0)") \
           .Define("GenPart_genPartIdxMother", "ROOT::RVec<Short_t>(GenPart_pt.size(), -1)")
    columns = ["GenJet_muonPtFraction", "GenJet_electronPtFraction"]
    for d in catalogue.derived_columns(columns):
        df = df.Define(d["column"], define(d)[0])
    out = {c: np.asarray(v[0]) for c, v in df.AsNumpy(columns).items()}
    np.testing.assert_allclose(out["GenJet_muonPtFraction"], [5 / 50, 2 / 20, 0.0], rtol=1e-6)
    np.testing.assert_allclose(out["GenJet_electronPtFraction"], [4 / 50, 0.0, 0.0], rtol=1e-6)


def test_hem_indicator(ROOT):
    """{GenJet, GenJetAK8, GenPart}_inHEM: 1 inside CMS's HEM15/16 box ([lo, hi) in eta and phi),
    computed by RDataFrame as in the simulation; the jet, fat-jet, electron and photon sources read it."""
    import numpy as np

    from flashsim.catalogue.gen import HEM_REGION, hem_column
    from flashsim.refsim.geometry import in_hem

    e0, e1, p0, p1 = HEM_REGION
    etas = [e0, e1, -2.0, -2.0, -2.0, 2.0, -3.3, -1.31]
    phis = [-1.2, -1.2, p0, p1, -0.9, -1.2, -1.2, -0.88]
    df = ROOT.RDataFrame(1)
    for var, values in (("eta", etas), ("phi", phis)):
        df = df.Define(f"GenJet_{var}", "ROOT::RVecF{" + ", ".join(f"{v}f" for v in values) + "}")
    for d in catalogue.derived_columns([hem_column("GenJet")]):
        df = df.Define(d["column"], define(d)[0])
    got = np.asarray(df.AsNumpy([hem_column("GenJet")])[hem_column("GenJet")][0])
    np.testing.assert_array_equal(got, [1, 0, 1, 0, 1, 0, 0, 1])
    # the same box as the reference detector's HEM failure (which training must not read, only match)
    np.testing.assert_array_equal(got, in_hem(np.float32(etas), np.float32(phis)))
    readers = {s.key for s in catalogue.sources() if any(c.endswith("_inHEM") for c in s.columns())}
    assert readers == {"Jet_GenJet", "FatJet_GenJetAK8", "Electron_GenElectron", "Electron_GenPhoton",
                       "Photon_GenPhoton", "Photon_GenElectron"}


@pytest.mark.parametrize("abs_pdg, min_pt", [(13, 2.0), (11, 2.0), (22, 5.0)])
def test_origin_code_is_the_reference_detectors(ROOT, train_sample, abs_pdg, min_pt):
    """The gen origin (genPartFlav-like) is written twice: in NumPy for the reference detector
    (``refsim.gen.GenEvent``) and in C++ for training and simulation (the catalogue's derived
    ``GenPart_origin``). On real Pythia ttbar events they agree particle for particle."""
    import numpy as np

    from flashsim.refsim.gen import GenEvent
    from flashsim.refsim.reader import iterate_chunks, open_gen_tree

    gen_path = str(train_sample[0])
    file, tree = open_gen_tree(gen_path)
    with file:
        chunk = next(iterate_chunks(tree, tree.num_entries))
    final = GenEvent(chunk).final_state(abs_pdg, min_pt)
    df = ROOT.RDataFrame("Events", gen_path)
    for d in catalogue.derived_columns(["GenPart_origin"]):
        df = df.Define(d["column"], define(d)[0])
    cut = f"GenPart_status == 1 && abs(GenPart_pdgId) == {abs_pdg} && GenPart_pt > {min_pt}"
    picked = df.Define("picked", f"ROOT::RVecF(GenPart_origin[{cut}])").AsNumpy(["picked"])["picked"]
    cpp = np.concatenate([np.asarray(v, dtype=np.int64) for v in picked])
    assert len(cpp) == len(final) > 50
    counts = dict(zip(*np.unique(cpp, return_counts=True), strict=True))
    assert len(counts) >= 2, counts  # prompt and non-prompt both present: the comparison can fail
    np.testing.assert_array_equal(cpp, final["origin"])


def test_fat_jet_hard_partons_count_what_the_reference_detector_counts(ROOT, train_sample):
    """GenJetAK8_nHardQuarks / nHardBQuarks / nBHadronsWithin, defined by RDataFrame from the NanoAOD
    GenPart branches (as in the simulation), equal the reference detector's own prong and b-hadron counts
    (flashsim.refsim.fatjets.hard_partons) for every gen AK8 jet of real Pythia ttbar events."""
    import numpy as np

    from flashsim.refsim.fatjets import hard_partons
    from flashsim.refsim.gen import GenEvent
    from flashsim.refsim.reader import iterate_chunks, open_gen_tree

    gen_path = str(train_sample[0])
    columns = ["GenJetAK8_nHardQuarks", "GenJetAK8_nHardBQuarks", "GenJetAK8_nBHadronsWithin"]
    df = ROOT.RDataFrame("Events", gen_path)
    for d in catalogue.derived_columns(columns):
        df = df.Define(d["column"], define(d)[0])
    out = {c: np.concatenate([np.asarray(v) for v in values]) for c, values in df.AsNumpy(columns).items()}

    f, tree = open_gen_tree(gen_path)
    chunk = next(iterate_chunks(tree, 10**6))
    f.close()
    expected = hard_partons(GenEvent(chunk))
    assert len(out["GenJetAK8_nHardQuarks"]) == len(expected[0]) > 100
    for column, counts in zip(columns, expected, strict=True):
        np.testing.assert_array_equal(out[column], counts, err_msg=column)
    # ttbar's fat jets hold 0 to 3 hard quarks (a merged top: three) and b hadrons
    assert set(np.unique(out["GenJetAK8_nHardQuarks"])) >= {0, 1, 2, 3}
    assert out["GenJetAK8_nBHadronsWithin"].max() >= 1


def test_count_within_and_hadron_flavour_against_numpy(ROOT):
    """count_within counts the selected objects at Delta R < radius (across phi = pi, not at the edge);
    hadron_flavour is 5 for b hadrons (mesons and baryons), 4 for c hadrons, else 0."""
    import numpy as np

    from flashsim.catalogue.gen import AK8_RADIUS

    pdg = [5, -5, 511, -5122, 421, 4122, 211, 13, 21, 2]
    flags = [(1 << 8) | (1 << 13)] * 2 + [1 << 13] * 4 + [0] * 2 + [(1 << 8) | (1 << 13)] * 2
    eta = [0.0, 0.79, 0.0, 0.1, 0.2, 5.0, 0.0, 0.0, 0.0, 0.0]
    phi = [3.1, 0.0, -3.1, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    df = ROOT.RDataFrame(1).Define("GenJetAK8_eta", "ROOT::RVecF{0.f, 0.f}") \
        .Define("GenJetAK8_phi", "ROOT::RVecF{3.14f, 0.f}")
    for name, values, kind in (("pdgId", pdg, "ROOT::RVecI"), ("statusFlags", flags, "ROOT::RVec<UShort_t>"),
                               ("eta", eta, "ROOT::RVecF"), ("phi", phi, "ROOT::RVecF")):
        df = df.Define(f"GenPart_{name}", kind + "{" + ", ".join(str(v) for v in values) + "}")
    columns = ["GenJetAK8_nHardQuarks", "GenJetAK8_nHardBQuarks", "GenJetAK8_nBHadronsWithin",
               "GenPart_hadronFlavour"]
    for d in catalogue.derived_columns(columns):
        df = df.Define(d["column"], define(d)[0])
    out = {c: np.asarray(v[0]) for c, v in df.AsNumpy(columns).items()}
    np.testing.assert_array_equal(out["GenPart_hadronFlavour"], [0, 0, 5, 5, 4, 4, 0, 0, 0, 0])
    # jet 0 at phi 3.14: the b at phi 3.1 and (across pi) the B0 and Lambda_b; the -b at (0.79, 0) is jet 1's,
    # as are the u at phi 1.0 (Delta R 1.0 > 0.8: outside) and the gluon (hard, but not a quark: 21)
    assert AK8_RADIUS == 0.8
    np.testing.assert_array_equal(out["GenJetAK8_nHardQuarks"], [1, 1])
    np.testing.assert_array_equal(out["GenJetAK8_nHardBQuarks"], [1, 1])
    np.testing.assert_array_equal(out["GenJetAK8_nBHadronsWithin"], [2, 0])

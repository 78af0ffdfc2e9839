"""The Python reference sampler: a bundle's networks (ONNX Runtime) with the Python ODE solvers
and the Python transforms, on given gen events with given noise. The yardstick of the C++ chain
(same noise in, same objects out) and the tool that measures the bundle's quality.

>>> from flashsim.train.reference_sampler import sample_bundle                   # doctest: +SKIP
>>> out = sample_bundle("bundle_dir", ["gen.root"], noise=NumpyNoise(seed=1))   # doctest: +SKIP
>>> out["Jet"]["pt"], out["Jet"]["event"]                                        # doctest: +SKIP
"""

import tempfile
import zlib
from pathlib import Path

import numpy as np

from flashsim.catalogue import relations
from flashsim.catalogue.acceptance import apply_acceptance
from flashsim.catalogue.floors import FLOOR_REDRAW_STRIDE, redraw_below_floor
from flashsim.errors import InputError

__all__ = ["CppNoise", "NumpyNoise", "OnnxBackend", "gen_arrays", "sample_bundle", "to_branch_range"]

_ID = ["run", "luminosityBlock", "event"]
_LIMITS = {"Int_t": (-2**31, 2**31 - 1), "UInt_t": (0, 2**32 - 1), "Short_t": (-2**15, 2**15 - 1),
           "UShort_t": (0, 2**16 - 1), "UChar_t": (0, 255), "Char_t": (-128, 127), "Bool_t": (0, 1)}


def to_branch_range(values, branch_type):
    """As the C++ ToBranchRange: floats as float32, integers rounded and clamped to their type."""
    if branch_type in ("Float_t", "Double_t"):
        return np.asarray(values, dtype=np.float32 if branch_type == "Float_t" else np.float64)
    lo, hi = _LIMITS[branch_type]
    return np.clip(np.nan_to_num(np.rint(values), nan=0.0), lo, hi)


class NumpyNoise:
    """Independent uniforms and normals from NumPy (fast; not the C++ stream). One stream per
    (collection, source), so that retraining one source leaves the others' numbers unchanged."""

    def __init__(self, seed: int):
        self.seed, self._streams, self._efficiency = seed, {}, {}

    def _rng(self, collection, source):
        key = (collection, source)
        if key not in self._streams:  # crc32, not hash(): str hashes change from run to run
            entropy = [self.seed, zlib.crc32(collection.encode()), zlib.crc32(source.encode())]
            self._streams[key] = np.random.default_rng(np.random.SeedSequence(entropy))
        return self._streams[key]

    def uniform(self, event_ids, collection, source, index, draw=0):
        if draw:
            return self._rng(collection, source).uniform(size=len(index))
        # the efficiency draw: the same candidates of one stream get the same numbers (an
        # efficiency_stream shared by several sources, as the C++ counter-based stream gives them)
        key = (collection, source, np.asarray(event_ids).tobytes(), np.asarray(index).tobytes())
        if key not in self._efficiency:
            self._efficiency[key] = self._rng(collection, source).uniform(size=len(index))
        return self._efficiency[key]

    def normal(self, event_ids, collection, source, index, n, first_draw=1):
        return self._rng(collection, source).standard_normal((len(index), n))


class CppNoise:
    """The C++ counter-based stream (flashsim::RandomStream) of ``flashsim.rdf.simulate``: the
    same numbers, so outputs can be compared object by object (slow: one call per number)."""

    def __init__(self, seed: int, copy: int = 0):
        from flashsim.rdf import load

        self.ROOT, self.seed, self.copy = load(), seed, copy

    def _stream(self, event_id, collection, source):
        eid = self.ROOT.flashsim.EventId()
        eid.run, eid.luminosityBlock, eid.event = (int(v) for v in event_id)
        return self.ROOT.flashsim.RandomStream(self.seed, eid, self.copy, collection, source)

    def uniform(self, event_ids, collection, source, index, draw=0):
        return np.array([self._stream(e, collection, source).Uniform(int(i), int(draw))
                         for e, i in zip(event_ids, index, strict=True)])

    def normal(self, event_ids, collection, source, index, n, first_draw=1):
        out = np.empty((len(index), n))
        for r, (e, i) in enumerate(zip(event_ids, index, strict=True)):
            stream = self._stream(e, collection, source)
            out[r] = [stream.Normal(int(i), first_draw + j) for j in range(n)]
        return out


def _columns(source):
    from flashsim.transforms import Transform

    seen = [c["input"] for c in source["conditioning"]]
    for t in source["targets"]:
        seen += Transform(t["transform"]).gen_inputs
    seen += [c["gen"] for c in source.get("copies", []) if c.get("gen")]
    seen += [source["efficiency_edge"]["input"]] if "efficiency_edge" in source else []
    return [c for c in dict.fromkeys(seen) if c != "@index"]


def _friend_file(simulated: dict, manifest, n_events: int, path: Path) -> None:
    """Writes the simulated collections (sorted per event as the C++ merge sorts them, in their branch types, with
    the index branch of a matched source) as a tree of ``n_events`` entries: the friend from which a later stage's
    sources and derived columns read them, as the C++ later stages read the merged branches."""
    import awkward as ak
    import uproot

    from flashsim.bundle.manifest import source_branches

    branches = {}
    for coll in manifest["collections"]:
        name = coll["name"]
        if name not in simulated:
            continue
        objects = simulated[name]
        first = coll["sources"][0]
        types = dict(source_branches(first))

        def typed(b, values, order=None, types=types):
            values = np.asarray(values, np.float32 if types.get(b) == "Float_t" else np.int32)
            return values if order is None else values[order]

        if first.get("kind") == "event":
            branches |= {f"{name}_{b}": typed(b, objects[b]) for b in types}
            continue
        event = np.asarray(objects["event"], np.int64)
        sort = coll.get("sort_by", "pt")
        key = -np.asarray(objects[sort], np.float64) if sort in objects else np.zeros(len(event))
        order = np.lexsort((key, event))
        fields = {b: typed(b, objects[b], order) for b in types}
        index = next((s["index_branch"] for s in coll["sources"] if s.get("index_branch") and
                      s.get("kind", "matched") == "matched"), None)
        if index:
            fields[index] = typed(index, objects["genIndex"], order)
        counts = np.bincount(event, minlength=n_events)
        branches[name] = ak.zip({b: ak.unflatten(v, counts) for b, v in fields.items()})  # nName, Name_branch
    with uproot.recreate(path) as f:  # a TTree (mktree): uproot's default for a dict of arrays is an RNTuple
        tree = f.mktree("Events", {k: v.type if isinstance(v, ak.Array) else v.dtype for k, v in branches.items()})
        tree.extend(branches)


def gen_arrays(inputs, directory, max_events=None, collections=None, allow_bundle_code=False, simulated=None):
    """Awkward arrays of every gen column the bundle in ``directory`` reads (derived columns and
    selections defined with RDataFrame from the expressions that flashsim::Bundle writes for them,
    as in the simulation; ``allow_bundle_code``: also a format-1 bundle's C++ text).

    ``simulated`` ({collection: objects} of :func:`sample_bundle`): collections simulated before, which the
    sources of ``collections`` are built from (Tau <- Jet); they are read from a friend tree, and the derived
    columns that read them are defined. Without ``collections``: every collection whose sources can be read
    (without ``simulated``, those built from gen columns only)."""
    import uproot

    from flashsim.bundle import read_manifest
    from flashsim.rdf import load
    from flashsim.rdf.operations import cpp_bundle

    ROOT = load()
    manifest = read_manifest(directory)
    cpp = cpp_bundle(directory, allow_bundle_code)
    with tempfile.TemporaryDirectory() as tmp:
        chain = ROOT.TChain("Events")
        for p in inputs:
            chain.Add(str(p))
        friend = None
        if simulated:
            # the simulated collections' tree is the main one and the input its friend: a column that both have
            # (Jet_pt of a reference-detector or CMS file with its own reco) is the simulated one, as in the
            # C++ chain, where the later stages read the merged branches, never the file's own
            n_events = int(chain.GetEntries()) if not max_events else min(int(max_events), int(chain.GetEntries()))
            _friend_file(simulated, manifest, n_events, Path(tmp) / "simulated.root")
            friend = chain
            chain = ROOT.TChain("Events")
            chain.Add(str(Path(tmp) / "simulated.root"))
            chain.AddFriend(friend)
        df = ROOT.RDataFrame(chain)
        if max_events:
            df = df.Range(int(max_events))
        columns = list(_ID)
        selects = {}  # column -> the source's selection expression
        for coll, cpp_coll in zip(manifest["collections"], cpp.Collections(), strict=True):
            if collections and coll["name"] not in collections:
                continue
            if not collections and not all(str(c) in (simulated or {}) for c in cpp_coll.builtFrom):
                continue  # all collections: those that can be read now (stage 0 without ``simulated``)
            for s, cpp_source in zip(coll["sources"], cpp_coll.sources, strict=True):
                columns += _columns(s)
                if s.get("gen_collection"):
                    columns.append(f"{s['gen_collection']}_pt")
                if s.get("select"):
                    selects[f"__select_{coll['name']}_{s['name']}"] = cpp_source
        # the derived columns those sources read, directly or through others, as the C++ graph defines them
        derived = {str(d.column): d for d in cpp.Derived()}
        used, todo = set(), columns + [str(c) for src in selects.values() for c in src.selectInputs]
        while todo:
            name = todo.pop()
            if name in derived and name not in used:
                used.add(name)
                todo += [str(c) for c in derived[name].inputs]
        for name, d in derived.items():  # in the bundle's order
            if name in used:
                df = df.Define(name, str(d.expression))
        for name, source in selects.items():
            df = df.Define(name, f"ROOT::RVec<bool>({source.select})")
            columns.append(name)
        have = {str(c) for c in df.GetColumnNames()}
        have |= {c.removeprefix("Events.") for c in have}  # the friend's branches, named also without the tree
        missing = [c for c in dict.fromkeys(columns) if c not in have]
        if missing:
            raise InputError(f"{', '.join(map(str, inputs))}: lacks the gen columns {missing} the bundle reads")
        path = Path(tmp) / "gen.root"
        df.Snapshot("Events", str(path), list(dict.fromkeys(columns)))
        with uproot.open(path) as f:
            return f["Events"].arrays()


def _session(path):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxBackend:
    """How the sampler runs the networks: ONNX Runtime sessions (one thread) in batches of
    ``batch`` rows, the ODE by flashsim.ode (per-row dopri5). flashsim.bench's PyTorch baseline
    is another backend with the same two methods."""

    def __init__(self, batch: int = 65536):
        self.batch = batch

    def predict(self, path, feeds: dict) -> np.ndarray:
        """The network's output for ``feeds`` ({input: float32 [n, k]}), in batches."""
        session = _session(path)
        n = len(next(iter(feeds.values())))
        if n == 0:
            return np.zeros((0, session.get_outputs()[0].shape[1]), np.float32)
        return np.concatenate([session.run(None, {k: v[i:i + self.batch] for k, v in feeds.items()})[0]
                               for i in range(0, n, self.batch)])

    def integrate(self, path, x0: np.ndarray, cond: np.ndarray, ode: dict) -> np.ndarray:
        """x at t = 1 from the noise x0 [n, d] through the velocity field of ``path``."""
        from flashsim.ode import integrate

        session = _session(path)
        x1 = np.empty_like(x0)
        for i in range(0, len(x0), self.batch):
            c = cond[i:i + self.batch]

            def field(t, x, rows, c=c):  # t per row; rows: which rows of c (None: all)
                feeds = {"x": x.astype(np.float32), "t": t.astype(np.float32)[:, None],
                         "cond": c if rows is None else c[rows]}
                return session.run(None, feeds)[0].astype(np.float64)

            x1[i:i + self.batch] = integrate(field, x0[i:i + self.batch], method=ode.get("method", "midpoint"),
                                             steps=ode.get("steps", 20), rtol=ode.get("rtol", 1e-5),
                                             atol=ode.get("atol", 1e-5)).x
        return x1


def velocity_network(directory, collection, source, ode):
    """(the ONNX file, the ODE options) that a source's flow runs with, as flashsim::ObjectSimulator: the
    velocity field, or with the method ``distilled`` its few-step student at the Euler steps it was
    distilled for."""
    field = source["velocity_field"]
    if ode.get("method") != "distilled":
        return Path(directory) / field["model"], ode
    if "distilled" not in field:
        from flashsim.errors import BundleError

        raise BundleError(f"model bundle '{directory}': {collection} <- {source['name']} has no distilled few-step "
                          "network (velocity_field.distilled), which the ODE method 'distilled' needs")
    return Path(directory) / field["distilled"]["model"], {"method": "euler", "steps": field["distilled"]["steps"]}


def _sample_source(directory, collection, source, arrays, ids, noise, ode, backend, floor=None):
    import awkward as ak

    from flashsim.transforms import Transform

    kind = source.get("kind", "matched")
    n_events = len(arrays)
    if kind in ("matched", "unmatched"):
        counts = ak.to_numpy(ak.num(arrays[f"{source['gen_collection']}_pt"]))
        event = np.repeat(np.arange(n_events), counts)
        index = np.arange(len(event)) - np.repeat(np.cumsum(counts) - counts, counts)
        mask = (ak.to_numpy(ak.flatten(arrays[f"__select_{collection}_{source['name']}"])).astype(bool)
                if source.get("select") else np.ones(len(event), dtype=bool))
        event, index = event[mask], index[mask]

        def column(name):
            values = arrays[name]
            if values.ndim == 1:
                return ak.to_numpy(values)[event]
            return ak.to_numpy(ak.flatten(values))[mask]
    else:
        slots = source.get("slots", 1) if kind == "slots" else 1
        event = np.repeat(np.arange(n_events), slots)
        index = np.tile(np.arange(slots), n_events)

        def column(name):
            return ak.to_numpy(arrays[name])[event]

    gen = {}
    for name in _columns(source):
        gen[name] = np.asarray(column(name), dtype=np.float32).astype(np.float64)  # the C++ rows are float
    gen["@index"] = index.astype(np.float64)
    cond = np.stack([Transform(c["transform"], c["name"]).forward(gen[c["input"]])
                     for c in source["conditioning"]], axis=1).astype(np.float32)
    event_ids = ids[event]
    if "efficiency" in source:
        p = backend.predict(Path(directory) / source["efficiency"]["model"], {"cond": cond})[:, 0]
        if "efficiency_edge" in source:  # as flashsim::EfficiencyEdge: never reconstructed beyond it
            edge = source["efficiency_edge"]
            p = np.where(np.abs(gen[edge["input"]]) > edge["abs_above"], np.float32(0.0), p)
        if kind == "slots":
            slots = source["slots"]
            u = noise.uniform(ids, collection, source["name"], np.zeros(n_events, dtype=np.int64))
            kept_n = (u[:, None] < p.reshape(n_events, slots)).sum(axis=1)
            keep = index < kept_n[event]
        else:
            stream = source.get("efficiency_stream", source["name"])  # shared by the occurrences of one multiplicity
            keep = noise.uniform(event_ids, collection, stream, index) < p
    else:
        keep = np.ones(len(event), dtype=bool)
    event, index, cond, event_ids = event[keep], index[keep], cond[keep], event_ids[keep]
    gen = {k: v[keep] for k, v in gen.items()}
    d = len(source["targets"])
    x0 = noise.normal(event_ids, collection, source["name"], index, d)
    model, ode = velocity_network(directory, collection, source, ode)
    x1 = backend.integrate(model, x0, cond, ode)
    if floor:  # as flashsim::ObjectFloor: below the collection's threshold, drawn again, left out when still below
        j = next(k for k, t in enumerate(source["targets"]) if t["branch"] == floor["branch"])
        inverse = Transform(source["targets"][j]["transform"], floor["branch"]).inverse

        def draw(rows, redraw):
            x0 = noise.normal(event_ids[rows], collection, source["name"], index[rows], d,
                              first_draw=redraw * FLOOR_REDRAW_STRIDE + 1)
            return backend.integrate(model, x0, cond[rows], ode)

        x1, above, _ = redraw_below_floor(floor, lambda x: inverse(x[:, j], gen), draw, x1)
        event, index, cond, event_ids, x1 = event[above], index[above], cond[above], event_ids[above], x1[above]
        gen = {k: v[above] for k, v in gen.items()}
    out = {"event": event, "genIndex": index if kind == "matched" else np.full(len(event), -1),
           "candidate": index}  # the gen object (or slot) it was made from, whatever the kind
    for j, t in enumerate(source["targets"]):
        values = Transform(t["transform"], t["branch"]).inverse(x1[:, j], gen)
        out[t["branch"]] = to_branch_range(values, t["type"])
    if "labels" in source:
        out.update(_draw_labels(directory, collection, source, x1, cond, event_ids, index, noise, backend))
    for c in source.get("copies", []):
        values = gen[c["gen"]] if c.get("gen") else np.full(len(event), c.get("fallback", 0.0))
        out[c["branch"]] = to_branch_range(values, c["type"])
    return out


def softmax_weights(logits):
    """As the C++ ObjectSimulator::DrawLabel: exp(logit - max logit) in double precision, the
    softmax before normalisation (:func:`draw_classes` compares with u times the total)."""
    z = np.asarray(logits, dtype=np.float64)
    return np.exp(z - z.max(axis=1, keepdims=True))


def draw_classes(weights, u):
    """As the C++ ObjectSimulator::DrawLabel: the first class whose cumulative weight exceeds
    ``u`` times the total (negative weights count as 0); the last class otherwise."""
    w = np.maximum(np.asarray(weights, dtype=np.float64), 0.0)
    cumulative = np.cumsum(w, axis=1)
    exceeds = u[:, None] * cumulative[:, -1:] < cumulative[:, :-1]
    return np.where(exceeds.any(axis=1), exceeds.argmax(axis=1), w.shape[1] - 1)


def _draw_labels(directory, collection, source, x1, cond, event_ids, index, noise, backend):
    """The label head: one categorical draw (uniform number d + 1) per object."""
    labels = source["labels"]
    table = np.asarray(labels["values"], dtype=np.float64).reshape(len(labels["values"]), -1)
    if len(table) == 1:
        classes = np.zeros(len(x1), dtype=np.int64)
    else:
        logits = backend.predict(Path(directory) / labels["model"], {"x": x1.astype(np.float32), "cond": cond})
        u = noise.uniform(event_ids, collection, source["name"], index, draw=1 + x1.shape[1])
        classes = draw_classes(softmax_weights(logits), np.asarray(u, dtype=np.float64))
    return {b["branch"]: to_branch_range(table[classes, j], b["type"]) for j, b in enumerate(labels["branches"])}


def sample_bundle(directory, inputs, noise, collections=None, max_events=None, ode=None, arrays=None, backend=None,
                  allow_bundle_code=False):
    """Simulates the bundle's collections on the gen events of ``inputs``.

    Args:
        noise: NumpyNoise or CppNoise (the same numbers as the C++ chain).
        arrays: gen arrays from :func:`gen_arrays` (read from ``inputs`` when None).
        backend: how the networks run (:class:`OnnxBackend` by default).
        allow_bundle_code: also read a format-1 bundle whose entries are C++ text (trust its author).
    Returns:
        {collection: {"event": [objects] row of the event, "genIndex", "source", branch: [objects]}},
        objects of all sources concatenated (not sorted).
    """
    from flashsim.bundle import read_manifest
    from flashsim.rdf.operations import cpp_bundle

    manifest = read_manifest(directory)
    stage_of = {str(c.name): int(c.stage) for c in cpp_bundle(directory, allow_bundle_code).Collections()}
    chosen = [c for c in manifest["collections"] if not collections or c["name"] in collections]
    ode = {**manifest.get("ode", {}), **(ode or {})}
    result = {}
    # stage 0 reads the gen columns; a later stage also the collections simulated before it (Tau <- Jet)
    for stage in sorted({stage_of[c["name"]] for c in chosen}):
        names = [c["name"] for c in chosen if stage_of[c["name"]] == stage]
        if stage > 0:
            # as many events as stage 0 had (``arrays`` given for the first max_events of the inputs)
            arrays = gen_arrays(inputs, directory, max_events or len(arrays), names, allow_bundle_code,
                                simulated=result)
        elif arrays is None:
            arrays = gen_arrays(inputs, directory, max_events, names, allow_bundle_code)
        ids = np.stack([np.asarray(arrays[c]).astype(np.int64) for c in _ID], axis=1)
        for coll in (c for c in chosen if c["name"] in names):
            parts = []
            for s in coll["sources"]:
                part = _sample_source(directory, coll["name"], s, arrays, ids, noise, ode, backend or OnnxBackend(),
                                      floor=coll.get("floor"))
                part["source"] = np.full(len(part["event"]), s["name"], dtype=object)
                parts.append(part)
            merged = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
            merged = apply_acceptance(merged, coll.get("acceptance", []))  # as flashsim::ApplyAcceptance
            for group in coll.get("sum_to_one", []):  # as flashsim::RescaleToSumOne
                total = sum(np.asarray(merged[b], np.float64) for b in group)
                for b in group:
                    merged[b] = np.where(total > 0, merged[b] / np.where(total > 0, total, 1.0), merged[b])
            for rule in coll.get("relations", []):  # as flashsim::ApplyRelations
                merged[rule["branch"]] = relations.evaluate(rule, merged)
            for rule in coll.get("working_points", []):  # as flashsim::ApplyWorkingPoints
                passed = np.searchsorted(np.asarray(rule["thresholds"]), np.asarray(merged[rule["of"]], np.float64))
                merged[rule["branch"]] = np.asarray(rule["values"], np.float64)[passed]
            result[coll["name"]] = merged
    return result

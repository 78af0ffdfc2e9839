"""Fuzz harness of ``flashsim simulate`` (issue "Bad, unusual and hostile input").

Mutates a real gen file (truncations, corrupted bytes, deleted branches, changed types, NaN / inf
/ negative values, absurd multiplicities, empty events and files), a bundle (deleted and
truncated files, swapped networks, manifest fields of the wrong type or value) and the command
line, runs each case as a subprocess and classifies it:

- ``error``: exit 2, one ``flashsim ...: error:`` (or argparse ``usage``) message, no traceback,
  nothing left in the output folder;
- ``output``: exit 0, one output event per input event, every reco value finite, nothing else
  left in the output folder;
- ``defect``: anything else (a crash or signal, a traceback, a run past the time bound, a
  partial or extra file, a non-finite reco value, lost events).

    PYTHONPATH= .venv/bin/python benchmarks/fuzz.py [--cases 300] [--jobs 2] [--seed 1] [--work fuzz_work]

The tests run a fixed-seed subset (tests/rdf/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

TIME_BOUND = 300  # seconds a case may take before it counts as a hang


@dataclass
class Case:
    name: str
    args: list  # flashsim arguments; "{out}" is replaced by the case's output file
    inputs: list = field(default_factory=list)  # gen files whose entries the output must match
    setup: object = None  # callable(folder) run before the case
    file_size_limit: int | None = None  # RLIMIT_FSIZE of the subprocess (bytes), None: unlimited


@dataclass
class Outcome:
    case: str
    kind: str  # "error" | "output" | "defect"
    why: str
    seconds: float


# ---------------------------------------------------------------- gen-file mutations


def _read(path):
    import uproot

    with uproot.open(path) as f:
        return f["Events"].arrays(library="ak", how=dict)


def write_gen(path, arrays: dict):
    """Writes ``arrays`` ({branch: awkward array}) as a NanoAOD-style TTree Events (jagged
    branches grouped by collection, with their counters)."""
    from flashsim.nanoaod import write_flat_events

    return write_flat_events(path, arrays)


def _set_value(arrays, column, value, every=7):
    """``column``'s object 0 of every ``every``-th event set to ``value``."""
    import awkward as ak

    arr = arrays[column]
    flat = ak.to_numpy(ak.flatten(arr)).astype(np.float64) if arr.ndim == 2 else ak.to_numpy(arr).astype(np.float64)
    if arr.ndim == 2:
        counts = ak.to_numpy(ak.num(arr))
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        events = np.arange(len(counts))
        hit = starts[(events % every == 3) & (counts > 0)]
        flat[hit] = value
        arrays[column] = ak.values_astype(ak.unflatten(flat, counts), ak.type(arr).content.content.primitive)
    else:
        flat[np.arange(len(flat)) % every == 3] = value
        arrays[column] = ak.Array(flat.astype(ak.to_numpy(arr).dtype))
    return arrays


def _many_objects(arrays, collection, n, seed):
    """Event 0 gets ``n`` objects of ``collection`` (random kinematics, the first object's other values)."""
    import awkward as ak

    rng = np.random.default_rng(seed)
    names = [k for k in arrays if k.startswith(collection + "_") and arrays[k].ndim == 2]
    for k in names:
        arr = arrays[k]
        lists = ak.to_list(arr)
        template = lists[0][0] if lists[0] else 0
        if k.endswith("_pt"):
            values = rng.uniform(10, 500, n)
        elif k.endswith("_eta"):
            values = rng.uniform(-4.5, 4.5, n)
        elif k.endswith("_phi"):
            values = rng.uniform(-3.1, 3.1, n)
        else:
            values = np.full(n, template)
        lists[0] = values.tolist()
        arrays[k] = ak.values_astype(ak.Array(lists), ak.type(arr).content.content.primitive)
    return arrays


def gen_cases(base: Path, folder: Path, rng: random.Random) -> list:
    import awkward as ak

    cases = []
    n_base = len(_read(base)["event"])
    data = base.read_bytes()

    def simulate(path, name, extra=(), inputs=None):
        cases.append(Case(name, ["simulate", str(path), "-o", "{out}", "--bundle", "{bundle}", "--seed", "1",
                                 "--no-progress", *extra], inputs if inputs is not None else [path]))

    def reference(path, name):
        cases.append(Case(f"reference: {name}", ["reference", str(path), "-o", "{out}", "--seed", "1", "--quiet"],
                          [path]))

    for k, fraction in enumerate([0.0, 0.01, 0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95, 0.99]):
        path = folder / f"truncated_{k}.root"
        path.write_bytes(data[: int(len(data) * fraction)])
        simulate(path, f"gen truncated at {fraction:.0%}")
    for k in range(12):
        path = folder / f"corrupt_{k}.root"
        b = bytearray(data)
        start = rng.randrange(len(b) // 10, len(b) - 200)
        for i in range(start, start + rng.choice([8, 64, 512])):
            if i < len(b):
                b[i] = rng.randrange(256)
        path.write_bytes(bytes(b))
        simulate(path, f"gen bytes corrupted at {start}")
    arrays = _read(base)
    needed = ["GenJet_pt", "GenJet_eta", "GenJet_phi", "GenJet_hadronFlavour", "run", "luminosityBlock", "event"]
    for column in needed:
        path = write_gen(folder / f"drop_{column}.root", {k: v for k, v in arrays.items() if k != column})
        simulate(path, f"gen without {column}")
    for column, dtype in [("GenJet_pt", np.int32), ("GenJet_pt", np.float64), ("GenJet_pt", np.bool_),
                          ("GenJet_eta", np.int64), ("GenJet_hadronFlavour", np.float32), ("run", np.float32),
                          ("event", np.float64), ("luminosityBlock", np.int8), ("GenJet_pt", np.uint8)]:
        changed = dict(arrays)
        changed[column] = ak.values_astype(arrays[column], dtype)
        path = write_gen(folder / f"type_{column}_{np.dtype(dtype).name}.root", changed)
        simulate(path, f"gen {column} as {np.dtype(dtype).name}")
    values = [("nan", np.nan), ("inf", np.inf), ("-inf", -np.inf), ("negative", -25.0), ("huge", 1e30)]
    for column in ["GenJet_pt", "GenJet_eta", "GenJet_phi", "GenJet_mass"]:
        for label, value in values:
            path = write_gen(folder / f"value_{column}_{label}.root", _set_value(dict(arrays), column, value))
            for policy in ("stop", "skip"):
                simulate(path, f"gen {column} {label}, --bad-gen {policy}", ["--bad-gen", policy])
    for n in (0, 1000, 10_000, 40_000):
        path = write_gen(folder / f"many_{n}.root", _many_objects(dict(arrays), "GenJet", n, n))
        simulate(path, f"gen event with {n} gen jets")
    empty = {k: v[:0] for k, v in arrays.items()}
    simulate(write_gen(folder / "zero_events.root", empty), "gen file with no events")
    no_jets = dict(arrays)
    for k in [k for k in arrays if k.startswith("GenJet_")]:
        primitive = ak.type(arrays[k]).content.content.primitive
        no_jets[k] = ak.values_astype(ak.Array([[] for _ in range(n_base)]), primitive)
    simulate(write_gen(folder / "no_jets.root", no_jets), "gen events without gen jets")
    changed = dict(arrays)
    changed["GenJet_pt"] = ak.values_astype(arrays["GenJet_pt"], np.float64)
    other = write_gen(folder / "chain_other_schema.root", changed)
    cases.append(Case("chain whose second file changes schema", ["simulate", str(base), str(other), "-o", "{out}",
                                                                 "--bundle", "{bundle}", "--seed", "1",
                                                                 "--no-progress"], [base, other]))
    cases.append(Case("chain of the same file twice", ["simulate", str(base), str(base), "-o", "{out}", "--bundle",
                                                       "{bundle}", "--seed", "1", "--no-progress"], [base, base]))
    rntuple = folder / "rntuple.root"
    import uproot

    with uproot.recreate(rntuple) as f:
        f["Events"] = ak.Array(arrays)
    simulate(rntuple, "gen as an RNTuple")
    reference(rntuple, "gen as an RNTuple")
    reference(base, "the base gen file")
    for column in ("GenPart_pt", "GenJet_pt", "run", "Pileup_nPU"):
        reference(write_gen(folder / f"reference_drop_{column}.root", {k: v for k, v in arrays.items() if k != column}),
                  f"gen without {column}")
    for column, dtype in [("GenPart_pdgId", np.float32), ("GenJet_pt", np.int32), ("event", np.float64)]:
        changed = dict(arrays)
        changed[column] = ak.values_astype(arrays[column], dtype)
        reference(write_gen(folder / f"reference_type_{column}.root", changed),
                  f"gen {column} as {np.dtype(dtype).name}")
    reference(folder / "zero_events.root", "gen file with no events")
    reference(folder / "many_10000.root", "gen event with 10000 gen jets")
    cases.append(Case("reference: gen truncated", ["reference", str(folder / "truncated_5.root"), "-o", "{out}",
                                                   "--seed", "1", "--quiet"]))
    simulate(base, "gen without provenance, no --seed", inputs=[base])
    cases[-1].args = [a for a in cases[-1].args if a not in ("--seed", "1")]
    return cases


# ---------------------------------------------------------------- bundle mutations


def _walk(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, (*path, i))
    yield path


def _set(manifest, path, value):
    target = manifest
    for key in path[:-1]:
        target = target[key]
    if path:
        target[path[-1]] = value
    return manifest


def bundle_cases(base_gen: Path, bundle: Path, folder: Path, rng: random.Random, n_manifest: int) -> list:
    cases = []
    files = sorted(p.name for p in bundle.iterdir())

    def with_bundle(name, mutate):
        target = folder / f"bundle_{len(cases)}"

        def setup(_folder, target=target, mutate=mutate):
            if not target.exists():
                shutil.copytree(bundle, target)
                mutate(target)

        cases.append(Case(name, ["simulate", str(base_gen), "-o", "{out}", "--bundle", str(target), "--seed", "1",
                                 "--no-progress"], [base_gen], setup))

    for name in files:
        with_bundle(f"bundle without {name}", lambda t, n=name: (t / n).unlink())
        with_bundle(f"bundle {name} truncated", lambda t, n=name: (t / n).write_bytes((t / n).read_bytes()[:100]))
        with_bundle(f"bundle {name} empty", lambda t, n=name: (t / n).write_bytes(b""))
    onnx = [f for f in files if f.endswith(".onnx")]
    for a in onnx:
        for b in onnx:
            if a != b:
                with_bundle(f"bundle {a} replaced by {b}", lambda t, a=a, b=b: shutil.copy(t / b, t / a))
    manifest = json.loads((bundle / "bundle.json").read_text())
    paths = [p for p in _walk(manifest) if p]
    wrong = ["text", -1, 0, 1e300, None, [], {}, True, -1e-9, 10**12]
    for _ in range(n_manifest):
        path = rng.choice(paths)
        value = rng.choice(wrong)
        label = "/".join(map(str, path))

        def mutate(t, path=path, value=value):
            m = json.loads((t / "bundle.json").read_text())
            (t / "bundle.json").write_text(json.dumps(_set(m, path, value)))

        with_bundle(f"manifest {label} = {json.dumps(value)}", mutate)
    return cases


# ---------------------------------------------------------------- command lines


def command_cases(base_gen: Path) -> list:
    g = str(base_gen)
    common = ["--bundle", "{bundle}", "--no-progress"]
    bad = [
        ["--threads", "-1"], ["--threads", "x"], ["--oversample", "0"], ["--oversample", "70000"],
        ["--oversample", "-3"], ["--ode-steps", "0"], ["--ode-steps", "-5"], ["--ode-method", "heun"],
        ["--ode-method", "dopri5", "--ode-steps", "4"], ["--rtol", "-1", "--ode-method", "dopri5"],
        ["--rtol", "0", "--ode-method", "dopri5"], ["--atol", "nan", "--ode-method", "dopri5"],
        ["--rtol", "1e-4"], ["--collections", "Foo"], ["--collections", ","], ["--seed", "-5"], ["--seed", "abc"],
        ["--seed", str(2**64)], ["--format", "xyz"], ["--bad-gen", "maybe"], ["--device", "tpu"], ["--unknown"],
        ["--dask-local", "0"], ["--dask", "tcp://nowhere:1", "--threads", "2"], ["--ode-steps", "100000000000"],
    ]
    cases = [Case(f"simulate {' '.join(a)}", ["simulate", g, "-o", "{out}", "--seed", "1", *common, *a], [base_gen])
             for a in bad]
    cases += [
        Case("simulate without -o", ["simulate", g, "--seed", "1", *common]),
        Case("simulate output into a missing folder", ["simulate", g, "-o", "{dir}/no/such/dir/x.root", "--seed", "1",
                                                       *common]),
        Case("simulate output is the input", ["simulate", g, "-o", g, "--seed", "1", *common]),
        Case("simulate output is a folder", ["simulate", g, "-o", "{dir}", "--seed", "1", *common]),
        Case("simulate a missing input", ["simulate", "{dir}/missing.root", "-o", "{out}", "--seed", "1", *common]),
        Case("simulate a folder as input", ["simulate", "{dir}", "-o", "{out}", "--seed", "1", *common]),
        Case("simulate a missing bundle", ["simulate", g, "-o", "{out}", "--seed", "1", "--bundle", "{dir}/nobundle"]),
        Case("simulate --oversample 3", ["simulate", g, "-o", "{out}", "--seed", "1", *common, "--oversample", "3"],
             [base_gen] * 3),
        Case("simulate --threads 2 --ode-method rk4 --ode-steps 3",
             ["simulate", g, "-o", "{out}", "--seed", "1", *common, "--threads", "2", "--ode-method", "rk4",
              "--ode-steps", "3"], [base_gen]),
        Case("simulate --format rntuple", ["simulate", g, "-o", "{out}", "--seed", "1", *common, "--format", "rntuple"],
             [base_gen]),
        Case("reference a missing input", ["reference", "{dir}/missing.root", "-o", "{out}", "--seed", "1"]),
        Case("reference --max-events 0", ["reference", g, "-o", "{out}", "--seed", "1", "--max-events", "0"]),
        Case("reference --chunk-size 0", ["reference", g, "-o", "{out}", "--seed", "1", "--chunk-size", "0"]),
        Case("simulate under a 300 kB file-size limit", ["simulate", g, "-o", "{out}", "--seed", "1", *common],
             [base_gen], file_size_limit=300_000),
        Case("simulate --oversample 8 under a 2 MB file-size limit",
             ["simulate", g, "-o", "{out}", "--seed", "1", *common, "--oversample", "8"], [base_gen] * 8,
             file_size_limit=2_000_000),
        Case("reference under a 100 kB file-size limit", ["reference", g, "-o", "{out}", "--seed", "1", "--quiet"],
             [base_gen], file_size_limit=100_000),
        Case("validate one file", ["validate", g, "-o", "{dir}/report"]),
        Case("extract a gen file", ["extract", g, "-o", "{dir}/tables"]),
    ]
    return cases


# ---------------------------------------------------------------- running and judging


def _entries(paths) -> int:
    import uproot

    total = 0
    for p in paths:
        with uproot.open(p) as f:
            total += f["Events"].num_entries
    return total


def _judge_output(case: Case, out: Path) -> str | None:
    """None when the output is correct, else what is wrong."""
    import awkward as ak
    import uproot

    try:
        with uproot.open(out) as f:
            events = f["Events"]
            n = events.num_entries
            arrays = events.arrays([k for k in events.keys() if not k.startswith(("Gen", "Pileup", "n"))
                                    and "_" in k])
    except Exception as err:  # noqa: BLE001 - any unreadable output is a defect
        return f"output unreadable: {err}"
    if case.inputs:
        want = _entries(case.inputs)
        if n != want:
            return f"{n} output events for {want} input events"
    for name in arrays.fields:
        values = arrays[name]
        flat = ak.to_numpy(ak.flatten(values)) if values.ndim > 1 else ak.to_numpy(values)
        if flat.dtype.kind == "f" and not np.isfinite(flat).all():
            return f"non-finite values in {name}"
    return None


def run_case(case: Case, work: Path, bundle: Path, index: int) -> Outcome:
    folder = work / f"case_{index:04d}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if case.setup is not None:
        case.setup(folder)
    out = folder / "out.root"
    args = [a.replace("{out}", str(out)).replace("{bundle}", str(bundle)).replace("{dir}", str(folder))
            for a in case.args]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    start = time.perf_counter()
    try:
        limit = None
        if case.file_size_limit is not None:
            def limit(n=case.file_size_limit):
                import resource

                resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))
        proc = subprocess.run([sys.executable, "-m", "flashsim", *args], capture_output=True, text=True,
                              timeout=TIME_BOUND, env=env, cwd=folder, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return Outcome(case.name, "defect", f"no answer within {TIME_BOUND} s", time.perf_counter() - start)
    seconds = time.perf_counter() - start
    left = sorted(p.name for p in folder.iterdir())
    err = proc.stderr
    if "Traceback" in err:
        return Outcome(case.name, "defect", "traceback: " + err.strip().splitlines()[-1], seconds)
    if proc.returncode == 2:
        messages = [line for line in err.splitlines() if line.startswith("flashsim") and "error:" in line]
        if len(messages) != 1:
            return Outcome(case.name, "defect", f"exit 2 with {len(messages)} error lines: {err[-300:]}", seconds)
        if left:
            return Outcome(case.name, "defect", f"error, but left {left}", seconds)
        return Outcome(case.name, "error", messages[0][:200], seconds)
    if proc.returncode == 0:
        produced = [p for p in left if p != "out.root"]
        if case.args[0] not in ("simulate", "reference"):
            return Outcome(case.name, "output", proc.stdout.strip()[-120:], seconds)
        if produced:
            return Outcome(case.name, "defect", f"extra files {produced}", seconds)
        if not out.exists():
            return Outcome(case.name, "defect", "exit 0 without output", seconds)
        problem = _judge_output(case, out)
        if problem:
            return Outcome(case.name, "defect", problem, seconds)
        return Outcome(case.name, "output", proc.stdout.strip().splitlines()[-1][:200], seconds)
    return Outcome(case.name, "defect", f"exit {proc.returncode}: {err.strip()[-300:]}", seconds)


def build_cases(work: Path, seed: int, n_manifest: int, gen=None, bundle=None):
    """(cases, bundle): the base gen file (60 ttbar events unless given) and the toy bundle."""
    from flashsim.bundle.toy import write_toy_bundle

    rng = random.Random(seed)
    work = Path(work).resolve()  # the cases run in their own folders
    work.mkdir(parents=True, exist_ok=True)
    inputs = work / "inputs"
    inputs.mkdir(exist_ok=True)
    if gen is None:
        gen = inputs / "base_gen.root"
        if not gen.exists():
            from flashsim.generate import generate

            generate("ttbar", 60, seed=seed, output=gen, progress=False)
    bundle = Path(bundle).resolve() if bundle else write_toy_bundle(inputs / "toy_bundle")
    gen = Path(gen).resolve()
    cases = gen_cases(Path(gen), inputs, rng) + bundle_cases(Path(gen), bundle, inputs, rng, n_manifest) \
        + command_cases(Path(gen))
    return cases, bundle


def run(cases, work: Path, bundle: Path, jobs: int = 2, log=print) -> list:
    work = Path(work).resolve()
    with ThreadPoolExecutor(jobs) as pool:
        outcomes = list(pool.map(lambda ic: run_case(ic[1], work, bundle, ic[0]), enumerate(cases)))
    for o in outcomes:
        if o.kind == "defect" or log is not print:
            log(f"{o.kind:7s} {o.seconds:6.1f} s  {o.case}: {o.why}")
    return outcomes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default="fuzz_work", help="folder for the mutated inputs and the cases")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--manifest-cases", type=int, default=120, help="mutated manifest fields")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--gen", help="base gen file (default: 60 ttbar events made here)")
    parser.add_argument("--json", help="write every outcome here")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    cases, bundle = build_cases(Path(args.work), args.seed, args.manifest_cases, args.gen)
    outcomes = run(cases, Path(args.work), bundle, args.jobs)
    counts = {k: sum(o.kind == k for o in outcomes) for k in ("error", "output", "defect")}
    print(f"fuzz: {len(outcomes)} cases in {time.perf_counter() - start:.0f} s: {counts['error']} clean errors, "
          f"{counts['output']} correct outputs, {counts['defect']} defects")
    if args.json:
        Path(args.json).write_text(json.dumps([o.__dict__ for o in outcomes], indent=1))
    return 1 if counts["defect"] else 0


if __name__ == "__main__":
    sys.exit(main())

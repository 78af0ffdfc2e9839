"""``flashsim demo``: the main job on the built-in default, and its validation, from nothing.

1. generate gen-level events (Pythia8 + FastJet) of a process the default bundle was trained on
   (ttbar) and of one it never saw (vbf_hmumu);
2. run the reference detector on them: the truth to compare with (and again with another seed:
   the control of the two-sample test, the same detector, so its AUC is the null);
3. simulate NanoAOD from the same gen events with the default bundle (no training), in one
   RDataFrame graph per file on all threads;
4. write the validation report (distributions, efficiencies, response, correlations, ROC
   curves, two-sample tests, toy analyses) and print its path.
"""

import sys
import time
from pathlib import Path

__all__ = ["HELP", "add_arguments", "run", "run_demo"]

HELP = "run the main job on the built-in default: generate -> reference -> simulate -> validation report"

PROCESSES = ("ttbar", "vbf_hmumu")  # seen / not seen in the default bundle's training


def add_arguments(parser):
    parser.add_argument("-o", "--output-dir", default="demo-output", help="folder for the files (default: %(default)s)")
    parser.add_argument("--events", type=int, default=3000, help="gen events per process (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=2, help="threads and generator jobs (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="seed of every step (default: %(default)s)")
    parser.add_argument("--bundle", help="model bundle (default: the one shipped with the package)")


def _say(text):
    print(f"[flashsim demo] {text}", file=sys.stderr, flush=True)


def _gen_options(path) -> dict | None:
    """(process, events, seed, run) that flashsim generate recorded in ``path``; None if unreadable."""
    from flashsim.errors import InputError
    from flashsim.generate import read_metadata

    if not Path(path).exists():
        return None
    try:
        meta = read_metadata(path)
    except (InputError, OSError, ValueError):
        return None
    return {k: meta.get(k) for k in ("process", "events", "seed", "run")}


def run_demo(output_dir, events=3000, threads=2, seed=1, bundle=None) -> dict:
    """Runs the four steps; returns {"report": path, "files": {...}, "seconds": {...}}."""
    from flashsim.bundle import default_bundle
    from flashsim.generate import generate
    from flashsim.rdf import simulate_file
    from flashsim.refsim import reference_detector
    from flashsim.validate import validate_processes

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    bundle = Path(bundle) if bundle else default_bundle()
    seconds, pairs, files = {}, [], {}
    for k, process in enumerate(PROCESSES):
        gen = output_dir / f"gen_{process}.root"
        reference = output_dir / f"reference_{process}.root"
        nano = output_dir / f"flashsim_{process}.root"
        start = time.perf_counter()
        made_with = _gen_options(gen)
        wanted = {"process": process, "events": events, "seed": seed + k, "run": 1 + k}
        if made_with == wanted:
            _say(f"reusing {gen}")
        else:
            if gen.exists():
                _say(f"{gen} was made with {made_with or 'unknown options'}, not {wanted}: making it again")
            _say(f"[1/4] generating {events} {process} events at 13.6 TeV (Pythia8 + FastJet) -> {gen}")
            generate(process, events, seed=seed + k, output=gen, jobs=max(1, threads), run=1 + k)
        seconds[f"generate {process}"] = time.perf_counter() - start

        start = time.perf_counter()
        control = output_dir / f"reference_{process}_seed{seed + 100}.root"
        _say(f"[2/4] reference detector on {process} -> {reference} (and with seed {seed + 100}, the two-sample "
             f"test's control -> {control.name})")
        reference_detector(str(gen), str(reference), seed=seed, progress=True)
        reference_detector(str(gen), str(control), seed=seed + 100)
        seconds[f"reference {process}"] = time.perf_counter() - start

        start = time.perf_counter()
        _say(f"[3/4] FlashSim with bundle {bundle} on {process}, {threads} thread(s) -> {nano}")
        summary = simulate_file(gen, nano, bundle, seed=seed, threads=threads)
        seconds[f"simulate {process}"] = time.perf_counter() - start
        _say(f"      {summary.events} events at {summary.events_per_second:.0f} events/s (with the JIT)")
        pairs.append((process, str(nano), str(reference), str(control)))
        files[process] = {"gen": str(gen), "reference": str(reference), "control": str(control), "flashsim": str(nano)}

    report = output_dir / "report"
    start = time.perf_counter()
    _say(f"[4/4] validation report: FlashSim vs reference for {', '.join(PROCESSES)} -> {report}")
    validate_processes(pairs, report, bundle=bundle, log=lambda text: _say(f"      {text}"))
    seconds["validate"] = time.perf_counter() - start
    return {"report": str(report / "index.html"), "files": files, "seconds": seconds}


def run(args) -> int:
    from flashsim.errors import InputError

    if args.events <= 0:
        raise InputError(f"--events must be > 0, got {args.events}")
    start = time.perf_counter()
    result = run_demo(args.output_dir, args.events, args.threads, args.seed, args.bundle)
    for step, seconds in result["seconds"].items():
        print(f"  {step:<22} {seconds:7.1f} s")
    print(f"demo done in {time.perf_counter() - start:.0f} s; open the report: {result['report']}")
    return 0

"""``flashsim demo``: the main job on the built-in default, from nothing to a NanoAOD file.

Today: generate ttbar events with Pythia8 + FastJet, simulate the Jet collection from the
GenJets through the C++ plugin in one RDataFrame graph (implicit MT), write NanoAOD, print what
came out. The networks are the toy bundle (random weights) until a trained default bundle
ships with the package; the demo says so.
"""

import sys
import time
from pathlib import Path

__all__ = ["HELP", "add_arguments", "run", "run_demo"]

HELP = "run the main job on the built-in default (generate -> simulate -> NanoAOD)"


def add_arguments(parser):
    parser.add_argument("-o", "--output-dir", default="demo-output", help="folder for the files (default: %(default)s)")
    parser.add_argument("--events", type=int, default=2000, help="gen events (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=2, help="RDataFrame threads (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="seed of generation and simulation (default: %(default)s)")


def _say(text):
    print(f"[flashsim demo] {text}", file=sys.stderr, flush=True)


def run_demo(output_dir, events=2000, threads=2, seed=1) -> dict:
    """Runs the demo; returns a summary dict (paths, counts, rates)."""
    from flashsim.bundle.toy import write_toy_bundle
    from flashsim.generate import generate

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    gen_path = output_dir / "gen_ttbar.root"
    if not gen_path.exists():
        _say(f"generating {events} ttbar events at 13.6 TeV (Pythia8 + FastJet) -> {gen_path}")
        generate("ttbar", events, seed=seed, output=gen_path, jobs=max(1, threads))
    else:
        _say(f"reusing {gen_path}")
    bundle = write_toy_bundle(output_dir / "bundle")
    _say(f"bundle: {bundle} (toy networks with random weights: the trained default comes with training)")

    import flashsim.rdf

    ROOT = flashsim.rdf.load()
    if threads > 1:
        ROOT.EnableImplicitMT(threads)
    nano_path = output_dir / "nano.root"
    df = ROOT.RDataFrame("Events", str(gen_path))
    nano = flashsim.rdf.simulate(df, bundle, seed=seed)
    columns = ["run", "luminosityBlock", "event", "nGenJet", "GenJet_pt", "GenJet_eta", "GenJet_phi",
               "GenJet_hadronFlavour", "nJet", "Jet_pt", "Jet_eta", "Jet_phi", "Jet_jetId", "Jet_genJetIdx"]
    _say(f"simulating Jet <- GenJet with {threads} thread(s) -> {nano_path}")
    start = time.perf_counter()
    n_gen = nano.Sum("nGenJet")
    n_reco = nano.Sum("nJet")
    count = nano.Count()
    nano.Snapshot("Events", str(nano_path), columns)
    seconds = time.perf_counter() - start
    summary = {
        "gen": str(gen_path), "nano": str(nano_path), "bundle": str(bundle),
        "events": int(count.GetValue()), "gen_jets": int(n_gen.GetValue()), "reco_jets": int(n_reco.GetValue()),
        "seconds": seconds, "events_per_second": count.GetValue() / seconds,
    }
    if threads > 1:
        ROOT.DisableImplicitMT()
    return summary


def run(args) -> int:
    from flashsim.errors import InputError

    if args.events <= 0:
        raise InputError(f"--events must be > 0, got {args.events}")
    s = run_demo(args.output_dir, args.events, args.threads, args.seed)
    print(f"NanoAOD written: {s['nano']}")
    print(f"{s['events']} events, {s['gen_jets']} gen jets -> {s['reco_jets']} reco jets "
          f"(efficiency {s['reco_jets'] / max(1, s['gen_jets']):.2f}), "
          f"{s['seconds']:.1f} s including JIT, {s['events_per_second']:.0f} events/s")
    return 0

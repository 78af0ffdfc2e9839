"""A fixed-seed subset of the fuzz harness (benchmarks/fuzz.py): mutated gen files, bundles and
command lines, each run as a subprocess, must all end as a clean error or a correct output."""

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import fuzz  # noqa: E402


def test_fuzz_subset_has_no_defect(gen_file, tmp_path):
    base = gen_file("ttbar", 60, seed=2)
    cases, bundle = fuzz.build_cases(tmp_path / "work", seed=3, n_manifest=20, gen=base)
    assert len(cases) > 150
    chosen = [cases[i] for i in sorted(random.Random(11).sample(range(len(cases)), 8))]
    outcomes = fuzz.run(chosen, tmp_path / "work", bundle, jobs=2, log=lambda *_: None)
    defects = [f"{o.case}: {o.why}" for o in outcomes if o.kind == "defect"]
    assert not defects, "\n".join(defects)
    assert {o.kind for o in outcomes} <= {"error", "output"}


def test_the_harness_sees_a_defect(tmp_path):
    """A case that crashes must be classified as a defect (the harness can fail)."""
    outcome = fuzz.run_case(fuzz.Case("missing everything", ["simulate"]), tmp_path, tmp_path, 0)
    assert outcome.kind == "error"  # argparse: "flashsim simulate: error: the following arguments are required"
    crashing = fuzz.Case("segfault", ["simulate"])
    original = fuzz.sys.executable
    try:
        fuzz.sys.executable = str(tmp_path / "crash.sh")
        (tmp_path / "crash.sh").write_text("#!/bin/sh\nkill -SEGV $$\n")
        (tmp_path / "crash.sh").chmod(0o755)
        assert fuzz.run_case(crashing, tmp_path, tmp_path, 1).kind == "defect"
    finally:
        fuzz.sys.executable = original

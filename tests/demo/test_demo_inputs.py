"""flashsim demo reuses a gen file only when it was made with the options asked for now."""

from flashsim.demo import _gen_options


def test_recorded_options_are_read(gen_file, tmp_path):
    gen = gen_file("ttbar", 400, seed=5, jobs=2)
    assert _gen_options(gen) == {"process": "ttbar", "events": 400, "seed": 5, "run": 1}
    assert _gen_options(gen) != {"process": "ttbar", "events": 3000, "seed": 5, "run": 1}  # would be remade
    assert _gen_options(tmp_path / "missing.root") is None
    junk = tmp_path / "junk.root"
    junk.write_text("not ROOT")
    assert _gen_options(junk) is None

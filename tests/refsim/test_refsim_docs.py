"""docs/nanoaod-branches.md and docs/refsim.md's parameter table agree with the code."""

from pathlib import Path

from flashsim.refsim import parameters, schema

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_branch_table_is_up_to_date():
    text = (DOCS / "nanoaod-branches.md").read_text()
    assert text == schema.markdown_table(), (
        "regenerate: python -m flashsim.refsim.schema > docs/nanoaod-branches.md")


def test_parameter_table_is_up_to_date():
    text = (DOCS / "refsim.md").read_text()
    assert parameters.markdown_table() in text, (
        "regenerate the table in docs/refsim.md: python -m flashsim.refsim.parameters")


def test_every_parameter_has_a_figure_and_a_reference():
    for name, p in parameters.PARAMETERS.items():
        assert p.cms, name
        assert p.ref == parameters.APPROX or p.ref in parameters.REFERENCES, name


def test_command_module_starts_light():
    import subprocess
    import sys

    code = ("import sys, flashsim.refsim.command, flashsim.refsim; "
            "heavy = {'numpy', 'uproot', 'ROOT', 'torch', 'awkward'} & set(sys.modules); "
            "print(sorted(heavy)); sys.exit(1 if heavy else 0)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr

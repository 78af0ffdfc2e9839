"""The ``flashsim`` command line.

Each subcommand lives beside the code it drives, in a module with ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``. Those modules import only the standard
library at the top, so ``flashsim --help`` never starts ROOT, torch or Pythia.
"""

import argparse
import importlib
import shlex
import sys

from flashsim._version import __version__
from flashsim.errors import FlashSimError

__all__ = ["main"]

# subcommand -> module; the order is the order of the data flow.
_COMMANDS = {
    "generate": "flashsim.generate.command",
    "reference": "flashsim.refsim.command",
    "extract": "flashsim.extract.command",
    "train": "flashsim.train.command",
    "distil": "flashsim.train.distil_command",
    "simulate": "flashsim.rdf.command",
    "validate": "flashsim.validate.command",
    "bench": "flashsim.bench",
    "config": "flashsim.plugin_config",
    "demo": "flashsim.demo",
}
# deprecated name -> command: still run, with a one-line notice on stderr
_DEPRECATED = {"fullsim": "reference"}


def _available_commands():
    for name, module_name in _COMMANDS.items():
        try:
            yield name, importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            # A subpackage not built yet (or an optional one) just leaves its command out.
            if not (err.name or "").startswith("flashsim"):
                raise


def _parser(commands):
    parser = argparse.ArgumentParser(
        prog="flashsim",
        description="Machine-learned fast simulation, generator level -> NanoAOD, on RDataFrame.",
    )
    parser.add_argument("--version", action="version", version=f"flashsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in commands:
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(_module=module)
    modules = dict(commands)
    for old, new in _DEPRECATED.items():
        if new in modules:
            text = f"deprecated name of `flashsim {new}` (it runs the reference detector, not a full simulation)"
            cmd = sub.add_parser(old, help=text, description=text)
            modules[new].add_arguments(cmd)
            cmd.set_defaults(_module=modules[new])
    return parser


def main(argv=None) -> int:
    parser = _parser(list(_available_commands()))
    args = parser.parse_args(argv)
    # the command as given (a bundle's provenance records it): this call's arguments, not the process's
    args._command_line = "flashsim " + " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    if args.command is None:
        parser.print_help()
        return 2
    if args.command in _DEPRECATED:
        print(f"flashsim {args.command}: deprecated, use `flashsim {_DEPRECATED[args.command]}` (same arguments)",
              file=sys.stderr)
    try:
        return int(args._module.run(args) or 0)
    except FlashSimError as err:
        print(f"flashsim {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"flashsim {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""``flashsim config``: where the compiled plugin lives, for ROOT macros and build systems."""

__all__ = ["HELP", "add_arguments", "run"]

HELP = "print the install prefix, library or include folder of the C++ plugin"


def add_arguments(parser):
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--prefix", action="store_true", help="folder holding lib/ and include/ (default)")
    what.add_argument("--libdir", action="store_true", help="folder holding libflashsim.so")
    what.add_argument("--incdir", action="store_true", help="folder holding flashsim/*.hxx")
    what.add_argument("--onnxruntime", action="store_true", help="the ONNX Runtime library to load")


def run(args) -> int:
    from flashsim.rdf.plugin import onnxruntime_library, plugin_paths

    if args.onnxruntime:
        print(onnxruntime_library() or "")
        return 0
    paths = plugin_paths()
    if args.libdir:
        print(paths.library.parent)
    elif args.incdir:
        print(paths.include)
    else:
        print(paths.library.parent.parent)
    return 0

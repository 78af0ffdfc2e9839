"""The simulation in a distributed RDataFrame (``ROOT.RDF.Distributed``, Dask backend), with
everything its workers need shipped to them.

A distributed RDataFrame replays its graph in every task from a list of named operations
(Define, Filter, Snapshot, ...); ``flashsim::Simulate`` adds many columns through C++ callables
and is none of those, and DistRDF has no public hook for such a function. ``Simulation`` is one
more operation of DistRDF's graph (its ``Operation`` class, run through the singledispatch
``_call_rdf_operation`` of ROOT._distrdf.ComputationGraphGenerator, root==0.1a12): on the client
it runs :func:`flashsim.rdf.simulate` on DistRDF's local copy of the graph, so a wrong bundle or a
missing gen column fails before any task starts; in a task it runs it on the task's RDataFrame.

What a worker receives (``ROOT.RDF.Distributed.DistributeFiles``: Dask's ``upload_file`` into the
worker's local directory, on every run, flat, by base name):

- the plugin archive: libflashsim.so and its headers in one tar named by its content hash. Not
  ``DistributeSharedLibs``/``DistributeHeaders``: those ship files flat and declare every header
  before the task's initialisation runs, but the headers include each other as "flashsim/...";
  and a second copy of the library next to an installed one would keep its own ONNX Runtime state.
- the bundle archive likewise, unless ``ship_bundle=False`` (a bundle on a file system that every
  worker mounts at the same path).

ONNX Runtime comes from the worker's own environment (the onnxruntime wheel of the same Python
environment, or ``$FLASHSIM_ONNXRUNTIME_LIBRARY`` there). The per-task initialisation registered
with ``ROOT.RDF.Distributed.initialize`` unpacks the plugin once per worker and loads it; it runs
at the start of every task, is idempotent, and is chained after the user's own (DistRDF keeps one).
A worker that lacks the plugin, the bundle or ONNX Runtime raises flashsim's typed error naming
the worker and the missing path; Dask re-raises it on the client.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tarfile
import tempfile
import threading
from pathlib import Path

from flashsim.errors import BundleError, FlashSimError, InputError, RuntimeLibraryError
from flashsim.rdf.local_graph import simulate_local
from flashsim.rdf.plugin import PluginPaths, load, onnxruntime_library, plugin_paths

__all__ = ["is_distributed", "local_node", "prepare_plugin", "simulate_distributed"]

_lock = threading.Lock()  # a worker runs several tasks at once: one unpacks, the others wait
_ready_plugin: str | None = None  # the plugin archive this worker process has loaded


def is_distributed(df) -> bool:
    """Whether ``df`` is a node of a distributed RDataFrame (checked without importing ROOT)."""
    return type(df).__module__.startswith("ROOT._distrdf")


def local_node(df):
    """The local ``RNode`` behind ``df``: DistRDF's client-side copy of the graph for a
    distributed node (column names and types, no event loop), else ``df`` itself."""
    return df.proxied_node.rdf_node if is_distributed(df) else df


# ---- client side: archives -------------------------------------------------------------------

def _archive(kind: str, files: list[tuple[str, Path]]) -> Path:
    """A tar of ``files`` ([(name in the archive, path)]) named ``flashsim-<kind>-<hash>.tar`` by
    its content, in a cache folder that outlives the run (DistRDF uploads it at every run)."""
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    folder = Path(tempfile.gettempdir()) / f"flashsim-{os.getuid()}" / "distributed"
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / f"flashsim-{kind}-{digest.hexdigest()[:20]}.tar"
    if not archive.is_file():
        partial = archive.with_name(f".{archive.name}.{os.getpid()}.{threading.get_ident()}")
        with tarfile.open(partial, "w") as tar:
            for name, path in files:
                tar.add(path, arcname=name, recursive=False)
        os.replace(partial, archive)
    return archive


def _plugin_archive() -> Path:
    paths = plugin_paths()
    headers = sorted(p for p in (paths.include / "flashsim").rglob("*") if p.is_file())
    return _archive("plugin", [("lib/libflashsim.so", paths.library)] +
                    [(f"include/{p.relative_to(paths.include)}", p) for p in headers])


def _bundle_archive(bundle: Path) -> Path:
    files = sorted(p for p in bundle.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return _archive("bundle", [(f"bundle/{p.relative_to(bundle)}", p) for p in files])


# ---- worker side -------------------------------------------------------------------------------

def _worker():
    """The Dask worker running this code, or None on the client."""
    try:
        from distributed import get_worker
    except ImportError:
        return None
    try:
        return get_worker()
    except ValueError:  # "No worker found": the client, where DistRDF also runs the initialisation
        return None


def _unpacked(worker, archive_name: str, error: type[FlashSimError], what: str) -> Path:
    """The folder where ``archive_name`` (shipped into the worker's local directory) is unpacked,
    unpacking it the first time; ``error`` naming the worker and the archive if it is not there."""
    local = Path(worker.local_directory)
    archive = local / archive_name
    target = local / archive_name.removesuffix(".tar")
    with _lock:
        if target.is_dir():
            return target
        if not archive.is_file():
            raise error(f"dask worker {worker.address}: {what} {archive} is missing (it is shipped with "
                        "ROOT.RDF.Distributed.DistributeFiles when the graph runs; was the worker's local "
                        "directory cleaned?)")
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        with tarfile.open(archive) as tar:
            tar.extractall(partial, filter="data")
        os.replace(partial, target)
    return target


def _check_onnxruntime(worker) -> None:
    """The ONNX Runtime library the worker's environment names exists (None: the C++ loader's own
    fallbacks, which say what they tried)."""
    runtime = onnxruntime_library()
    if runtime is not None and not runtime.is_file():
        source = ("$FLASHSIM_ONNXRUNTIME_LIBRARY" if os.environ.get("FLASHSIM_ONNXRUNTIME_LIBRARY")
                  else "the onnxruntime package")
        raise RuntimeLibraryError(f"dask worker {worker.address}: the ONNX Runtime library {runtime} (from {source}) "
                                  "does not exist; install onnxruntime in the workers' Python environment or point "
                                  "$FLASHSIM_ONNXRUNTIME_LIBRARY at libonnxruntime.so on the workers")


def prepare_plugin(plugin_archive: str) -> None:
    """Loads the plugin shipped as ``plugin_archive`` (unpacked once per worker); on the client,
    the installed plugin. Idempotent: what every distributed task runs first."""
    global _ready_plugin
    worker = _worker()
    if worker is None:
        load()
        return
    if _ready_plugin == plugin_archive:
        return
    root = _unpacked(worker, plugin_archive, FlashSimError, "the FlashSim plugin archive (libflashsim.so, headers)")
    _check_onnxruntime(worker)
    load(PluginPaths(root / "lib" / "libflashsim.so", root / "include"))
    _ready_plugin = plugin_archive


def initialize_task(plugin_archive: str, previous=None) -> None:
    """The per-task initialisation: the one registered before (the user's), then the plugin."""
    if previous is not None:
        previous()
    prepare_plugin(plugin_archive)


def _bundle_on_worker(source: tuple[str, str]) -> Path:
    kind, value = source
    worker = _worker()
    where = f"dask worker {worker.address}" if worker is not None else "client"
    if kind == "archive":
        bundle = _unpacked(worker, value, BundleError, "the bundle archive") / "bundle"
    else:
        bundle = Path(value)
    if not (bundle / "bundle.json").is_file():
        raise BundleError(f"{where}: model bundle {bundle} has no bundle.json"
                          + ("" if kind == "archive" else " (with ship_bundle=False every worker must see the "
                                                          "bundle at this path, e.g. on a shared file system)"))
    return bundle


# ---- the graph operation -------------------------------------------------------------------------

@functools.cache
def _operation_class():
    """``Simulation``, defined on first use: its base class lives in ROOT._distrdf (imports ROOT)."""
    from ROOT._distrdf.ComputationGraphGenerator import _call_rdf_operation
    from ROOT._distrdf.Operation import Transformation

    class Simulation(Transformation):
        """flashsim.rdf.simulate as a node of a distributed graph. args: the plugin archive's name,
        the bundle source (("archive", name) or ("path", path)), the seed; kwargs: simulate's options."""

        def __reduce__(self):  # pickled by reference to this module, whose import defines and registers it
            return _make_operation, (self.args, self.kwargs)

        def apply(self, parent):
            plugin_archive, bundle_source, seed = self.args
            prepare_plugin(plugin_archive)
            return simulate_local(parent, _bundle_on_worker(bundle_source), seed, **self.kwargs)

    @_call_rdf_operation.register(Simulation)
    def _(operation, parent_rdf_node, range_id: int):
        return operation.apply(parent_rdf_node), operation

    return Simulation


def _make_operation(args, kwargs):
    return _operation_class()("FlashSimSimulate", *args, **kwargs)


def _register_initialization(plugin_archive: str) -> None:
    """Chains :func:`initialize_task` after the initialisation DistRDF holds (once per archive)."""
    import ROOT
    from ROOT._distrdf.Backends.Base import BaseBackend

    previous = BaseBackend.initialization
    chained = previous
    while isinstance(chained, functools.partial) and chained.func is initialize_task:
        if chained.args[0] == plugin_archive:
            return
        chained = chained.args[1] if len(chained.args) > 1 else None
    ROOT.RDF.Distributed.initialize(initialize_task, plugin_archive, previous)


def simulate_distributed(df, bundle: Path, seed: int, *, ship_bundle: bool = True, **options):
    """:func:`flashsim.rdf.simulate` on a distributed RDataFrame node: checked on the client (DistRDF's
    local graph), the plugin and the bundle shipped to the workers; returns the new distributed node."""
    import ROOT
    from ROOT._distrdf.Proxy import NodeProxy, _create_new_node

    parent = df.proxied_node
    backend = type(parent.get_head().backend)
    if backend.__name__ != "DaskBackend":  # the workers' local directory is where Dask puts shipped files
        raise InputError(f"flashsim runs on the Dask backend of distributed RDataFrame, not on {backend.__name__}")
    local = simulate_local(parent.rdf_node, bundle, seed, **options)  # every check, before any task
    plugin_archive = _plugin_archive()
    shipped = [plugin_archive]
    if ship_bundle:
        bundle_archive = _bundle_archive(bundle)
        shipped.append(bundle_archive)
        source = ("archive", bundle_archive.name)
    else:
        source = ("path", str(bundle.resolve()))
    ROOT.RDF.Distributed.DistributeFiles([str(p) for p in shipped])
    _register_initialization(plugin_archive.name)
    node = _create_new_node(parent, _make_operation((plugin_archive.name, source, seed), options))
    node.rdf_node = local
    return NodeProxy(node)

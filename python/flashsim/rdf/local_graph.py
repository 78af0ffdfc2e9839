"""The simulation graph on a local RDataFrame node: the C++ flashsim::Simulate / GatherCrossEvent
with the options checked and its errors translated. flashsim.rdf.simulate dispatches here or to
flashsim.rdf.distributed (which builds its client-side check with this too: no import cycle)."""

from pathlib import Path

from flashsim.errors import BundleError, FlashSimError, InputError, ModelError, RuntimeLibraryError
from flashsim.ode import check_ode_options
from flashsim.rdf.plugin import load

__all__ = ["BAD_GEN", "checked_bundle", "gather_cross_event", "simulate_local", "translated_error"]

BAD_GEN = ("stop", "skip")

# C++ exception type (flashsim::...) -> Python error.
_ERRORS = {
    "InputError": InputError,
    "BundleError": BundleError,
    "ModelError": ModelError,
    "RuntimeLibraryError": RuntimeLibraryError,
}


def translated_error(err: Exception) -> FlashSimError | None:
    """The flashsim error of a C++ exception that reached Python (by its type name, or, from the
    event loop where RDataFrame rethrows it as another type, by its "flashsim: " text); None
    for anything else."""
    name = type(err).__name__
    for cpp_name, python_type in _ERRORS.items():
        if cpp_name in name:
            # cppyy's text is "<C++ signature> =>\n    InputError: <what()>": keep what()
            message = str(err).split(" =>\n", 1)[-1].strip()
            return python_type(message.removeprefix(f"{cpp_name}: ") or str(err))
    text = str(err)
    at = text.find("flashsim: ")
    if at >= 0:
        message = " ".join(text[at:].split())
        python_type = ModelError if "the bundle's networks or transforms made it" in message else InputError
        return python_type(message)
    # ROOT refusing the input inside RDataFrame (e.g. a corrupt file whose branches no longer fit)
    for marker in ("runtime_error: ", "logic_error: ", "invalid_argument: ", "out_of_range: "):
        at = text.find(marker)
        if at >= 0:
            return InputError("ROOT cannot process the input: " + " ".join(text[at + len(marker):].split()))
    return None


def _options(ROOT, df, *, collections, ode, copy, device, bad_gen, check_values, replace_reco, allow_bundle_code):
    """The C++ SimulateOptions of these arguments (checked here, before anything is built)."""
    options = ROOT.flashsim.SimulateOptions()
    if collections:
        for name in collections:
            options.collections.push_back(name)
    if ode:
        check_ode_options(ode)
        options.bundleOde = False
        options.ode.method = ROOT.flashsim.ParseOdeMethod(ode.get("method", "midpoint"))
        options.ode.steps = int(ode.get("steps", options.ode.steps))
        options.ode.rtol = float(ode.get("rtol", options.ode.rtol))
        options.ode.atol = float(ode.get("atol", options.ode.atol))
    options.copy = copy
    options.device = device
    options.skipBadGen = bad_gen == "skip"
    options.checkValues = bool(check_values)
    options.allowBundleCode = bool(allow_bundle_code)
    if replace_reco:
        from flashsim.nanoaod.gen_level import reco_columns

        for name in reco_columns(df.GetColumnNames()):
            options.replacedColumns.push_back(name)
    return options


def checked_bundle(bundle, seed, bad_gen) -> Path:
    if bundle is None:
        from flashsim.bundle import default_bundle

        bundle = default_bundle()
    bundle = Path(bundle)
    if not (bundle / "bundle.json").is_file():
        raise BundleError(f"model bundle '{bundle}' has no bundle.json")
    if seed is None:
        raise InputError("simulate() needs a seed, one per sample (two samples with the same event numbers and "
                         "seed share their noise); flashsim.generate.sample_seed.sample_seed(files, 'flashsim "
                         "simulate') derives one from the files' generator provenance")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
        raise InputError(f"seed must be an integer in [0, 2**64), got {seed!r}")
    if bad_gen not in BAD_GEN:
        raise InputError(f"bad_gen must be one of {', '.join(BAD_GEN)}, got {bad_gen!r}")
    return bundle


def gather_cross_event(df, bundle, seed, *, batch_events: int, partition_prefix: str, collections=None, ode=None,
                       copy: int = 0, device: str = "cpu", bad_gen: str = "stop", check_values: bool = True,
                       replace_reco: bool = False, allow_bundle_code: bool = False, earlier_stages=()):
    """Loop 1 of the cross-event mode (``flashsim::GatherCrossEvent``): returns the C++
    CrossEventLoop, whose ``node`` has the column ``_flashsim_batch`` (an action on it runs the
    loop; each slot simulates ``batch_events`` events at once, into partition files
    ``<partition_prefix>.<slot>``) and whose ``batch`` (call ``Finish()`` after the loop) is then
    passed to :func:`simulate` as ``cross_event`` for loop 2. Arguments as :func:`simulate`.

    A bundle whose collections are built from other simulated collections (Tau <- Jet) takes
    ``loop.stages`` stages: stage k is gathered with ``earlier_stages`` = the finished batches of the
    stages before it, after their loops ran; loop 2 then gets every stage's batch (``cross_event=[...]``)."""
    bundle = checked_bundle(bundle, seed, bad_gen)
    if isinstance(batch_events, bool) or not isinstance(batch_events, int) or batch_events < 1:
        raise InputError(f"batch_events must be an integer >= 1, got {batch_events!r}")
    ROOT = load()
    options = _options(ROOT, df, collections=collections, ode=ode, copy=copy, device=device, bad_gen=bad_gen,
                       check_values=check_values, replace_reco=replace_reco, allow_bundle_code=allow_bundle_code)
    for batch in earlier_stages:
        options.crossEventStages.push_back(batch)
    try:
        return ROOT.flashsim.GatherCrossEvent(ROOT.RDF.AsRNode(df), str(bundle), seed, options, batch_events,
                                              str(partition_prefix), len(earlier_stages))
    except Exception as err:
        translated = translated_error(err)
        if translated is None:
            raise
        raise translated from None




def simulate_local(df, bundle, seed, *, collections=None, ode=None, copy=0, device="cpu", bad_gen="stop",
                   check_values=True, replace_reco=False, cross_event=None, allow_bundle_code=False):
    """:func:`flashsim.rdf.simulate` on a local node (arguments as there)."""
    bundle = checked_bundle(bundle, seed, bad_gen)
    ROOT = load()
    options = _options(ROOT, df, collections=collections, ode=ode, copy=copy, device=device, bad_gen=bad_gen,
                       check_values=check_values, replace_reco=replace_reco, allow_bundle_code=allow_bundle_code)
    if cross_event is not None:  # one batch, or every stage's (collections built from simulated ones)
        stages = list(cross_event) if isinstance(cross_event, list | tuple) else [cross_event]
        options.crossEvent = stages[-1]
        for batch in stages[:-1]:
            options.crossEventStages.push_back(batch)
    try:
        return ROOT.flashsim.Simulate(ROOT.RDF.AsRNode(df), str(bundle), seed, options)
    except Exception as err:
        translated = translated_error(err)
        if translated is None:
            raise
        raise translated from None

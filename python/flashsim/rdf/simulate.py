"""flashsim.rdf.simulate: add the reco collections of a bundle to any RDataFrame node."""

from collections.abc import Sequence

from flashsim.rdf.distributed import is_distributed, simulate_distributed
from flashsim.rdf.local_graph import BAD_GEN, checked_bundle, gather_cross_event, simulate_local, translated_error

__all__ = ["BAD_GEN", "gather_cross_event", "simulate", "translated_error"]


def simulate(
    df,
    bundle=None,
    seed: int | None = None,
    *,
    collections: Sequence[str] | None = None,
    ode: dict | None = None,
    copy: int = 0,
    device: str = "cpu",
    ship_bundle: bool = True,
    bad_gen: str = "stop",
    check_values: bool = True,
    replace_reco: bool = False,
    cross_event=None,
    allow_bundle_code: bool = False,
):
    """Adds every reco collection of ``bundle`` to ``df`` and returns the new node.

    Args:
        df: any RDataFrame node (``ROOT.RDataFrame`` or a node after Filters/Defines) with the
            gen columns the bundle reads and ``run``, ``luminosityBlock``, ``event``; or a node of a
            distributed RDataFrame (``ROOT.RDataFrame(..., executor=dask_client)``): the plugin and
            the bundle are then shipped to the workers (:mod:`flashsim.rdf.distributed`).
        bundle: directory holding bundle.json and the ONNX networks; None: the default bundle
            shipped with the package (:func:`flashsim.bundle.default_bundle`).
        seed: with (run, luminosityBlock, event) the whole random-number key: the same seed gives
            bit-identical output per event, whatever the number of threads. Required: one seed
            per sample (two samples with the same event numbers and seed would share their noise);
            ``flashsim.generate.sample_seed.sample_seed(files, "flashsim simulate")`` derives the
            one ``flashsim simulate`` uses from the files' generator provenance.
        collections: names of the collections to simulate (default: all of the bundle).
        ode: solver settings overriding the bundle's, e.g. ``{"method": "rk4", "steps": 10}``,
            ``{"method": "dopri5", "rtol": 1e-5, "atol": 1e-5}`` or ``{"method": "distilled"}`` (the
            bundle's few-step students at their own steps).
        copy: oversampling copy index (part of the random-number key).
        device: "cpu" or "cuda" (needs onnxruntime-gpu).
        bad_gen: a gen object with a NaN or infinite value, or a negative pt, mass or energy, met
            in the event loop: "stop" (default) raises an InputError naming the column, the value
            and the (run, luminosityBlock, event); "skip" leaves it out of the simulation (its gen
            branches stay as they are) and counts it in ``_flashsim_<Collection>_skippedGen``.
        check_values: False turns off the checks of the gen inputs and of the simulated values
            (a non-finite one is never written); only for ``flashsim bench`` to time them.
        replace_reco: ``df`` is a full-simulation NanoAOD: its reco columns (every column that is not
            generator level, :mod:`flashsim.nanoaod.gen_level`) are not read, and those that the
            simulation writes are redefined (the others stay in the node; ``flashsim simulate
            --replace-reco`` leaves them out of the file). False: an input column that the
            simulation would write is an error.
        cross_event: None (each event is simulated in its own Define: the node is lazy, any
            Filter or action may follow) or the finished ``batch`` of :func:`gather_cross_event`
            (loop 2 of the cross-event mode that ``flashsim simulate`` uses: the collections are read
            back from that batch, simulated there for many events at once), or the list of every
            stage's finished batch for a bundle whose collections are built from other simulated ones.
        allow_bundle_code: also read a bundle of manifest format 1, whose derived columns,
            cross-references and selections are C++ text that cling compiles and runs here: a
            decision to trust whoever made the bundle (format 2 bundles are data, always safe to read).
        ship_bundle: distributed ``df`` only; False: the workers read ``bundle`` at its path (a shared
            file system) instead of receiving a copy.
    Returns:
        ``ROOT.RDF.RNode`` with ``nJet``, ``Jet_pt``, ..., ``Jet_genJetIdx``, ... (for a distributed
        ``df``, a distributed node)
    Raises:
        InputError, BundleError, ModelError: before any event loop, naming what is wrong.
    """
    bundle = checked_bundle(bundle, seed, bad_gen)
    if is_distributed(df):
        return simulate_distributed(df, bundle, seed, ship_bundle=ship_bundle, collections=collections, ode=ode,
                                    copy=copy, device=device, bad_gen=bad_gen, replace_reco=replace_reco,
                                    allow_bundle_code=allow_bundle_code)
    return simulate_local(df, bundle, seed, collections=collections, ode=ode, copy=copy, device=device,
                          bad_gen=bad_gen, check_values=check_values, replace_reco=replace_reco,
                          cross_event=cross_event, allow_bundle_code=allow_bundle_code)

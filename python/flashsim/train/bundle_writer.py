"""Export fitted sources to a bundle: ONNX files, a parity check against PyTorch, bundle.json."""

import numpy as np

from flashsim.errors import ModelError

__all__ = ["PARITY_TOLERANCE", "export_bundle", "parity", "torch_outputs"]

PARITY_TOLERANCE = 1e-5


def parity(model, path, inputs: dict, seed: int = 0, rows: int = 257) -> tuple[float, float]:
    """(the largest |ONNX - PyTorch| / max(1, |PyTorch|) on random inputs, PyTorch's own float32 rounding
    there): PyTorch evaluated in float64 is the network's exact function, and the rounding is the same
    figure for PyTorch in float32. ModelError when the ONNX file is further from the exact function than
    both PARITY_TOLERANCE and twice PyTorch's float32 rounding: a wide field's float32 arithmetic alone
    reaches 2.2e-5 (v11's jet velocity field, 192 wide, on N(0, 1) inputs), a wrong export differs by
    orders of magnitude more.

    Args:
        inputs: {ONNX input name: feature count}, in the order the model's forward takes them.
    """
    import copy

    import onnxruntime

    rng = np.random.default_rng(seed)
    feeds = {name: rng.normal(size=(rows, n)).astype(np.float32) for name, n in inputs.items()}
    if "t" in feeds:
        feeds["t"] = rng.uniform(size=(rows, 1)).astype(np.float32)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    got = session.run(None, feeds)[0]
    exact = torch_outputs(copy.deepcopy(model).double(), {k: v.astype(np.float64) for k, v in feeds.items()})

    def relative(a):
        return float(np.max(np.abs(a - exact) / np.maximum(1.0, np.abs(exact))))

    difference, rounding = relative(got), relative(torch_outputs(model, feeds))
    if not difference <= max(PARITY_TOLERANCE, 2 * rounding):
        raise ModelError(f"{path}: ONNX and PyTorch differ by {difference:.3g} (> {PARITY_TOLERANCE} and > twice "
                         f"PyTorch's own float32 rounding, {rounding:.3g}); not exported")
    return difference, rounding


def torch_outputs(model, feeds: dict) -> np.ndarray:
    """What the exported ONNX file must compute: the efficiency's probability, the velocity, the
    label logits, for ``feeds`` ({input name: [rows, n] float32}, in forward order)."""
    import torch

    with torch.no_grad():
        tensors = [torch.from_numpy(v) for v in feeds.values()]
        if hasattr(model, "probability") and list(feeds) == ["cond"]:  # the efficiency: its probability
            return model.probability(*tensors).numpy()
        return model(*tensors).numpy()


def _checked(model, path, inputs: dict, parities: dict, table: dict) -> None:
    """Parity of one exported network with PyTorch's float32 rounding beside it (:func:`parity`), and its
    row of the bundle's reference_outputs table."""
    from flashsim.bundle.reference_outputs import probe_inputs

    parities[path.name] = parity(model, path, inputs)
    table[path.name] = {"source": "pytorch", "outputs": torch_outputs(model, probe_inputs(inputs)).tolist()}


def export_bundle(directory, fitted, derived, postprocess, ode, provenance, name) -> dict:
    """Writes every network of ``fitted`` (FittedSource list) and bundle.json into ``directory``.

    Returns the manifest; its provenance carries each network's parity figure and the PyTorch
    outputs at fixed probe inputs (flashsim.bundle.reference_outputs).
    """
    from pathlib import Path

    from flashsim.bundle import write_manifest

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    collections, parities, table = {}, {}, {}
    for f in fitted:
        spec, source = f.spec, dict(f.manifest)
        c, d = len(spec.conditioning), len(spec.flow_targets)
        if f.efficiency is not None:
            path = directory / f"{spec.key}_efficiency.onnx"
            f.efficiency.cpu().eval()
            f.efficiency.export_onnx(path)
            _checked(f.efficiency, path, {"cond": c}, parities, table)
            source["efficiency"] = {"model": path.name}
        path = directory / f"{spec.key}_velocity.onnx"
        f.velocity_field.cpu().eval()
        f.velocity_field.export_onnx(path)
        _checked(f.velocity_field, path, {"x": d, "t": 1, "cond": c}, parities, table)
        source["velocity_field"] = {"model": path.name}
        if f.distilled is not None:
            path = directory / f"{spec.key}_velocity_distilled.onnx"
            f.distilled.cpu().eval()
            f.distilled.export_onnx(path)
            _checked(f.distilled, path, {"x": d, "t": 1, "cond": c}, parities, table)
            report = f.report["distilled"]
            source["velocity_field"]["distilled"] = {"model": path.name, "steps": report["steps"],
                                                     "method": report["method"]}
        if f.labels is not None:
            path = directory / f"{spec.key}_labels.onnx"
            f.labels.cpu().eval()
            f.labels.export_onnx(path)
            _checked(f.labels, path, {"x": d, "cond": c}, parities, table)
            source["labels"] = {"model": path.name, **source["labels"]}
        entry = collections.setdefault(spec.collection, {"name": spec.collection, "sources": []})
        if spec.sort_by:
            entry["sort_by"] = spec.sort_by
        if spec.acceptance:
            entry["acceptance"] = [dict(r) for r in spec.acceptance]
        if spec.floor:
            entry["floor"] = dict(spec.floor)
        if spec.sum_to_one:
            entry["sum_to_one"] = [list(g) for g in spec.sum_to_one]
        if spec.working_points:
            entry["working_points"] = [dict(r) for r in spec.working_points]
        if spec.relations:
            entry["relations"] = [dict(r) for r in spec.relations]
        entry["sources"].append(source)
    manifest = {
        "name": name,
        "ode": ode,
        "derived": derived,
        "collections": list(collections.values()),
        "postprocess": postprocess,
        "provenance": {**provenance, "parity": {k: v[0] for k, v in parities.items()},
                       "parity_float32_rounding": {k: v[1] for k, v in parities.items()}, "reference_outputs": table,
                       "training": {f.spec.key: f.report for f in fitted}},
    }
    write_manifest(directory, manifest)
    return manifest

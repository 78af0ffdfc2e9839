"""Export fitted sources to a bundle: ONNX files, a parity check against PyTorch, bundle.json."""

import numpy as np

from flashsim.errors import ModelError

__all__ = ["PARITY_TOLERANCE", "export_bundle", "parity"]

PARITY_TOLERANCE = 1e-5


def parity(model, path, inputs: dict, seed: int = 0, rows: int = 257) -> float:
    """Largest |ONNX - PyTorch| / max(1, |PyTorch|) on random inputs; ModelError above the tolerance.

    Args:
        inputs: {ONNX input name: feature count}, in the order the model's forward takes them.
    """
    import onnxruntime
    import torch

    rng = np.random.default_rng(seed)
    feeds = {name: rng.normal(size=(rows, n)).astype(np.float32) for name, n in inputs.items()}
    if "t" in feeds:
        feeds["t"] = rng.uniform(size=(rows, 1)).astype(np.float32)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    got = session.run(None, feeds)[0]
    with torch.no_grad():
        tensors = [torch.from_numpy(v) for v in feeds.values()]
        if hasattr(model, "probability") and list(inputs) == ["cond"]:  # the efficiency: its probability
            want = model.probability(*tensors).numpy()
        else:
            want = model(*tensors).numpy()
    difference = float(np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want))))
    if not difference <= PARITY_TOLERANCE:
        raise ModelError(f"{path}: ONNX and PyTorch differ by {difference:.3g} (> {PARITY_TOLERANCE}); not exported")
    return difference


def export_bundle(directory, fitted, derived, postprocess, ode, provenance, name) -> dict:
    """Writes every network of ``fitted`` (FittedSource list) and bundle.json into ``directory``.

    Returns the manifest; its provenance carries each network's parity figure.
    """
    from pathlib import Path

    from flashsim.bundle import write_manifest

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    collections, parities = {}, {}
    for f in fitted:
        spec, source = f.spec, dict(f.manifest)
        c, d = len(spec.conditioning), len(spec.flow_targets)
        if f.efficiency is not None:
            path = directory / f"{spec.key}_efficiency.onnx"
            f.efficiency.cpu().eval()
            f.efficiency.export_onnx(path)
            parities[path.name] = parity(f.efficiency, path, {"cond": c})
            source["efficiency"] = {"model": path.name}
        path = directory / f"{spec.key}_velocity.onnx"
        f.velocity_field.cpu().eval()
        f.velocity_field.export_onnx(path)
        parities[path.name] = parity(f.velocity_field, path, {"x": d, "t": 1, "cond": c})
        source["velocity_field"] = {"model": path.name}
        if f.labels is not None:
            path = directory / f"{spec.key}_labels.onnx"
            f.labels.cpu().eval()
            f.labels.export_onnx(path)
            parities[path.name] = parity(f.labels, path, {"x": d, "cond": c})
            source["labels"] = {"model": path.name, **source["labels"]}
        entry = collections.setdefault(spec.collection, {"name": spec.collection, "sources": []})
        if spec.sort_by:
            entry["sort_by"] = spec.sort_by
        entry["sources"].append(source)
    manifest = {
        "name": name,
        "ode": ode,
        "derived": derived,
        "collections": list(collections.values()),
        "postprocess": postprocess,
        "provenance": {**provenance, "parity": parities,
                       "training": {f.spec.key: f.report for f in fitted}},
    }
    write_manifest(directory, manifest)
    return manifest

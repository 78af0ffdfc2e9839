"""A bundle's stored table of network outputs at fixed probe inputs: what each ONNX file must
compute, so that a bundle whose files were swapped, truncated or retrained behind its manifest's
back is caught by :func:`check_reference_outputs` (and by ``make test`` for the default bundle).

The table lives in the manifest's provenance (``reference_outputs``: {ONNX file: {"source":
"pytorch" | "onnxruntime", "outputs": [[...], ...]}}). ``flashsim train`` fills it from the
PyTorch networks when it exports them, so checking the shipped ONNX files against it is the
ONNX-vs-PyTorch parity recomputed from the shipped files alone. The probe inputs are a closed
formula (no random generator whose stream could change between numpy versions):
``x[i, j] = 2 sin(0.7 (i + 1) + 1.3 j + offset)``, ``t[i] = (i + 0.5) / rows``.

    from flashsim.bundle.reference_outputs import check_reference_outputs
    worst = check_reference_outputs("my_bundle")   # {file: max relative difference}
"""

from pathlib import Path

import numpy as np

from flashsim.errors import BundleError

__all__ = ["PROBE_ROWS", "TOLERANCE", "check_reference_outputs", "network_files", "probe_inputs",
           "reference_table"]

PROBE_ROWS = 8
# ONNX Runtime against PyTorch is measured at <= 7.1e-6 (export parity, 257 random rows); a
# swapped network of the same shape differs at order 1.
TOLERANCE = 1e-4
_OFFSETS = {"x": 0.0, "t": 0.0, "cond": 0.5}


def probe_inputs(features: dict, rows: int = PROBE_ROWS) -> dict:
    """{input name: [rows, n] float32} for a network's inputs ``{name: n}`` ("x", "t", "cond")."""
    i = np.arange(rows, dtype=np.float64)[:, None]
    out = {}
    for name, n in features.items():
        if name == "t":
            out[name] = ((i + 0.5) / rows).astype(np.float32)
        else:
            j = np.arange(n, dtype=np.float64)[None, :]
            out[name] = (2.0 * np.sin(0.7 * (i + 1) + 1.3 * j + _OFFSETS.get(name, 0.25))).astype(np.float32)
    return out


def network_files(manifest: dict) -> list:
    """Every ONNX file a manifest names, in manifest order (a velocity field's distilled student after it)."""
    out = []
    for s in (s for c in manifest["collections"] for s in c["sources"]):
        for k in ("efficiency", "velocity_field", "labels"):
            if "model" in s.get(k, {}):
                out.append(s[k]["model"])
            if "model" in s.get(k, {}).get("distilled", {}):
                out.append(s[k]["distilled"]["model"])
    return out


def _session(path):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    try:
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as err:  # onnxruntime raises its own untyped errors for corrupt files
        raise BundleError(f"{path}: not a readable ONNX network ({str(err).splitlines()[0]})") from None


def _onnx_outputs(path, rows: int = PROBE_ROWS) -> np.ndarray:
    session = _session(path)
    features = {}
    for node in session.get_inputs():
        n = node.shape[-1]
        if not isinstance(n, int):
            raise BundleError(f"{path}: input '{node.name}' has no fixed feature count ({node.shape})")
        features[node.name] = n
    return session.run(None, probe_inputs(features, rows))[0]


def reference_table(bundle, rows: int = PROBE_ROWS) -> dict:
    """The table of a bundle's ONNX files as ONNX Runtime computes them now ("source":
    "onnxruntime"): for a bundle whose PyTorch networks are gone (one trained before the table
    existed); ``flashsim train`` writes the PyTorch one instead."""
    from flashsim.bundle.manifest import read_manifest

    bundle = Path(bundle)
    return {name: {"source": "onnxruntime", "outputs": _onnx_outputs(bundle / name, rows).tolist()}
            for name in network_files(read_manifest(bundle))}


def check_reference_outputs(bundle) -> dict:
    """Runs every ONNX file of ``bundle`` on the probe inputs and compares with the stored table.

    Returns:
        {ONNX file: largest |ONNX - stored| / max(1, |stored|)}
    Raises:
        BundleError: no table, a network without an entry, another output shape, or a difference
            above TOLERANCE (naming the file and the figure).
    """
    from flashsim.bundle.manifest import read_manifest

    bundle = Path(bundle)
    manifest = read_manifest(bundle)
    table = manifest.get("provenance", {}).get("reference_outputs")
    if not isinstance(table, dict):
        raise BundleError(f"{bundle / 'bundle.json'}: provenance has no reference_outputs table")
    worst = {}
    for name in network_files(manifest):
        if name not in table:
            raise BundleError(f"{bundle / 'bundle.json'}: reference_outputs has no entry for {name}")
        want = np.asarray(table[name]["outputs"], dtype=np.float64)
        got = _onnx_outputs(bundle / name, len(want)).astype(np.float64)
        if got.shape != want.shape:
            raise BundleError(f"{bundle / name}: outputs of shape {got.shape} on the probe inputs, the manifest's "
                              f"reference_outputs table has {want.shape}")
        difference = float(np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want))))
        if not difference <= TOLERANCE:
            raise BundleError(f"{bundle / name}: its outputs differ from the manifest's reference_outputs by "
                              f"{difference:.3g} (> {TOLERANCE}): not the network this bundle was exported with")
        worst[name] = difference
    return worst

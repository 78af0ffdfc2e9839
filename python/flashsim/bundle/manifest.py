"""bundle.json: read and write, with the checks a user needs before any C++ runs."""

import json
from pathlib import Path

from flashsim.errors import BundleError

__all__ = ["FORMAT_VERSION", "read_manifest", "source_branches", "write_manifest"]

# 2: derived columns, cross-references and selections are named operations and cuts (data);
# 1: they were C++ text, read only with --allow-bundle-code (flashsim.rdf.operations)
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)


def write_manifest(directory, manifest: dict) -> Path:
    """Writes ``manifest`` (with ``format_version`` set) as <directory>/bundle.json."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    manifest = {"format_version": FORMAT_VERSION, **manifest}
    path = directory / "bundle.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")
    return path


def read_manifest(directory) -> dict:
    """Reads <directory>/bundle.json; BundleError if missing, not JSON or of another version."""
    path = Path(directory) / "bundle.json"
    if not path.is_file():
        raise BundleError(f"model bundle '{directory}' has no bundle.json")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise BundleError(f"bundle manifest '{path}' is not valid JSON: {err}") from None
    version = manifest.get("format_version")
    if version not in READABLE_VERSIONS:
        raise BundleError(
            f"bundle manifest '{path}': format_version is {version!r}, expected one of {READABLE_VERSIONS}"
        )
    return manifest


def source_branches(source: dict) -> list[tuple[str, str]]:
    """(branch, type) of what a manifest source writes, in the C++ order: the flow's targets, the
    label head's branches, the copied branches."""
    entries = source["targets"] + source.get("labels", {}).get("branches", []) + source.get("copies", [])
    return [(e["branch"], e["type"]) for e in entries]

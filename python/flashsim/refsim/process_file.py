"""``reference_detector(input, output, seed)``: gen file -> gen + reco NanoAOD-like file, in chunks."""

import json
import os
import time

from flashsim.errors import InputError

__all__ = ["DEFAULT_CHUNK", "reference_detector"]

DEFAULT_CHUNK = 10_000
METADATA_NAME = "flashsim_refsim"
# what the detector seed derived from a gen file's provenance is salted with (the command's name
# before "flashsim reference"; kept, so that a file's derived seed stays what it was)
SEED_SALT = "flashsim fullsim"


def reference_detector(input: str, output: str, seed: int | None = None, chunk_size: int = DEFAULT_CHUNK,
            max_events: int | None = None, progress: bool = False) -> dict:
    """Run the reference detector on a gen-level file.

    Args:
        input: gen file (tree ``Events`` in NanoAOD naming, see reader.REQUIRED_BRANCHES).
        output: file to write; written under a temporary name and renamed at the end, so a
            failure leaves nothing behind.
        seed: detector seed (>= 0). The output of an event depends only on (seed, run,
            luminosityBlock, event) and the parameters, not on the chunk size. None: derived
            from the input's generator provenance (one seed per sample,
            :mod:`flashsim.generate.sample_seed`), an InputError when it has none.
        chunk_size: events per chunk (memory grows with it, not with the file size).
        max_events: stop after this many events (None: all).
    Returns:
        the metadata written into the file's ``flashsim_refsim`` TNamed, plus timing.
    """
    import uproot

    from flashsim._version import __version__
    from flashsim.refsim.detector import simulate_chunk
    from flashsim.refsim.parameters import parameter_hash
    from flashsim.refsim.reader import iterate_chunks, open_gen_tree
    from flashsim.refsim.schema import COLLECTIONS
    from flashsim.refsim.writer import NanoWriter, copy_small_tree

    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise InputError(f"seed must be an integer >= 0, got {seed!r}")
    if max_events is not None and max_events < 1:
        raise InputError(f"max_events must be >= 1, got {max_events}")
    if chunk_size < 1:
        raise InputError(f"chunk_size must be >= 1, got {chunk_size}")
    if os.path.abspath(input) == os.path.abspath(output):
        raise InputError(f"output {output!r} would overwrite the input")
    src, tree = open_gen_tree(input)
    seed_from = "--seed"
    if seed is None:
        from flashsim.generate.sample_seed import sample_seed

        try:
            # the salt keeps the command's old name: a file's derived seed must not change with the rename
            seed, seed_from = sample_seed([input], SEED_SALT), "generator provenance"
        except InputError:
            src.close()
            raise
    n_total = tree.num_entries if max_events is None else min(max_events, tree.num_entries)
    tmp = f"{output}.tmp-{os.getpid()}"
    start = time.perf_counter()
    try:
        with uproot.recreate(tmp) as dst:
            writer = NanoWriter(dst, tree)
            done = 0
            bar = _progress(n_total) if progress else None
            for chunk in iterate_chunks(tree, chunk_size):
                n = len(chunk["event"])
                if done + n > n_total:
                    chunk = {k: v[: n_total - done] for k, v in chunk.items()}
                    n = n_total - done
                collections, scalars = simulate_chunk(chunk, seed)
                writer.write(chunk, collections, scalars, n)
                done += n
                if bar is not None:
                    bar.update(n)
                if done >= n_total:
                    break
            if bar is not None:
                bar.close()
            for name in ("Runs", "LuminosityBlocks"):
                if name in src:
                    copy_small_tree(src, dst, name)
            for key, cls in src.classnames(recursive=False).items():
                name = key.split(";")[0]
                if cls == "TNamed" and name != METADATA_NAME:
                    writer.write_metadata(name, src[name].member("fTitle"))
            metadata = {
                "tool": "flashsim reference",
                "version": __version__,
                "seed": seed,
                "seed_from": seed_from,
                "parameter_hash": parameter_hash(),
                "input": os.path.basename(input),
                "events": done,
                "collections": list(COLLECTIONS),
                "nanoaod_version": "v15 names and types",
            }
            writer.write_metadata(METADATA_NAME, json.dumps(metadata, sort_keys=True))
        os.replace(tmp, output)
    except BaseException as err:
        if os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(err, OSError):  # a full disk, a file-size limit (EFBIG), a folder gone
            raise InputError(f"cannot write {output!r} (disk full or file-size limit?): {err.strerror or err}") \
                from None
        raise
    finally:
        src.close()
    metadata["seconds"] = time.perf_counter() - start
    return metadata


def _progress(total):
    from tqdm import tqdm

    return tqdm(total=total, unit="ev", desc="reference")

"""Small helpers for the refsim tests."""

import awkward as ak
import numpy as np


def flat(array):
    """All values of an awkward array as one numpy array."""
    return np.asarray(ak.to_numpy(ak.flatten(array, axis=None)))

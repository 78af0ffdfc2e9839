"""Detector regions in (eta, phi): dead calorimeter cells, the HEM15/16 failure, ECAL crack."""

import numpy as np

from flashsim.refsim.parameters import value as par

__all__ = ["in_any_region", "in_dead_cell", "in_ecal_crack", "in_hem"]


def in_any_region(eta, phi, regions) -> np.ndarray:
    """True where (eta, phi) lies in one of ``regions`` = [(eta_lo, eta_hi, phi_lo, phi_hi)]."""
    eta, phi = np.asarray(eta), np.asarray(phi)
    out = np.zeros(eta.shape, dtype=bool)
    for e0, e1, p0, p1 in regions:
        out |= (eta >= e0) & (eta < e1) & (phi >= p0) & (phi < p1)
    return out


def in_dead_cell(eta, phi) -> np.ndarray:
    return in_any_region(eta, phi, par("detector.dead_cells"))


def in_hem(eta, phi) -> np.ndarray:
    return in_any_region(eta, phi, [par("detector.hem_region")])


def in_ecal_crack(eta) -> np.ndarray:
    lo, hi = par("detector.ecal_crack")
    a = np.abs(np.asarray(eta))
    return (a >= lo) & (a < hi)

"""Event scalars from pileup: primary vertices (PV_*) and the energy densities (Rho_*)."""

import numpy as np

from flashsim.refsim.parameters import value as par

__all__ = ["event_scalars"]


def _binomial(n, p, z):
    """Normal approximation of Binomial(n, p), rounded and clipped to [0, n]."""
    return np.clip(np.rint(n * p + np.sqrt(n * p * (1 - p)) * z), 0, n)


def event_scalars(gen, rng) -> dict:
    """{branch name: [n_events] array} for PV_* and Rho_*; also '_rho' for the detector."""
    z = rng.per_event("event.scalars", 8, normal=True)
    n_pu = gen.n_pu.astype(np.float64)
    npvs = 1 + _binomial(n_pu, par("pileup.vertex_efficiency"), z[:, 0])
    good = np.maximum(_binomial(npvs, par("pileup.good_vertex_fraction"), z[:, 1]), 1)
    rho = np.maximum((par("pileup.rho_offset") + par("pileup.rho_per_pu") * n_pu)
                     * (1 + par("pileup.rho_width") * z[:, 2]), 0.0)
    gj = gen.genjet
    central = np.abs(gj["eta"]) < par("detector.tracker_eta")
    score = np.bincount(gj.event, weights=(0.6 * gj["pt"]) ** 2 * central, minlength=gen.n)
    n_tracks = 10 + np.bincount(gj.event, weights=6.0 * central, minlength=gen.n)
    ndof = np.maximum(2 * n_tracks - 3 + 3 * z[:, 3], 1.0)
    return {
        "PV_npvs": npvs.astype(np.int64),
        "PV_npvsGood": good.astype(np.int64),
        "PV_x": 0.0107 + 0.0010 * z[:, 4],
        "PV_y": 0.0417 + 0.0010 * z[:, 5],
        "PV_z": par("pileup.beamspot_z") * z[:, 6],
        "PV_ndof": ndof,
        "PV_chi2": np.maximum(1 + 0.12 * z[:, 7], 0.3),
        "PV_score": score + 5.0,
        "Rho_fixedGridRhoFastjetAll": rho,
        "Rho_fixedGridRhoFastjetCentral": 0.93 * rho,
        "Rho_fixedGridRhoFastjetCentralChargedPileUp": 0.45 * rho,
        "_rho": rho,
    }

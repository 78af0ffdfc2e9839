"""The report's figures (matplotlib, mplhep's CMS style), A (FlashSim) against B (reference).

Every function draws one PNG at ``path`` and returns nothing; colours: A orange, B black.
"""

from __future__ import annotations

import numpy as np

__all__ = ["correlation_figure", "efficiency_figure", "efficiency_map_figure", "histogram_figure",
           "histogram_edges", "response_figure", "roc_figure"]

COLOR_A, COLOR_B = "#e76300", "black"
DPI = 72


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import mplhep

    plt.style.use(mplhep.style.CMS)
    plt.rcParams.update({"font.size": 14, "axes.titlesize": 14, "legend.fontsize": 12,
                         "axes.labelsize": 14, "xtick.labelsize": 12, "ytick.labelsize": 12,
                         "xtick.minor.visible": False, "ytick.minor.visible": False})
    return plt, mplhep


def _save(fig, path):
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def histogram_edges(a, b, max_bins: int = 40) -> np.ndarray:
    """Bins for comparing a and b: one per integer for integer-valued variables with few values,
    else ``max_bins`` uniform bins over the 0.5-99.5% range of the pooled sample."""
    pool = np.concatenate([a, b])
    pool = pool[np.isfinite(pool)]
    if len(pool) == 0:
        return np.linspace(0, 1, 2)
    lo, hi = float(pool.min()), float(pool.max())
    if np.all(pool == np.round(pool)) and hi - lo <= 60:
        return np.arange(lo - 0.5, hi + 1.5)
    lo, hi = np.quantile(pool, [0.005, 0.995])
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, max_bins + 1)


def _hist(x, w, edges):
    """Counts and sqrt(sum w^2), under/overflow folded into the edge bins."""
    x = np.clip(x, edges[0], edges[-1] - 1e-9 * (edges[-1] - edges[0]))
    return np.histogram(x, edges, weights=w)[0], np.sqrt(np.histogram(x, edges, weights=w**2)[0])


def histogram_figure(path, a, b, wa, wb, labels, xlabel, edges=None, density=True, title=None):
    """Distribution of A and B (normalised to unit area when ``density``) with the A/B ratio
    and its statistical uncertainty (both samples) below."""
    plt, _ = _plt()
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    wa = np.ones(len(a)) if wa is None else np.asarray(wa, np.float64)
    wb = np.ones(len(b)) if wb is None else np.asarray(wb, np.float64)
    fa, fb = np.isfinite(a), np.isfinite(b)
    a, wa, b, wb = a[fa], wa[fa], b[fb], wb[fb]
    edges = histogram_edges(a, b) if edges is None else edges
    ha, ea = _hist(a, wa, edges)
    hb, eb = _hist(b, wb, edges)
    if density:
        width = np.diff(edges)
        na, nb = max(ha.sum(), 1e-300), max(hb.sum(), 1e-300)
        ha, ea, hb, eb = ha / na / width, ea / na / width, hb / nb / width, eb / nb / width
    fig, (ax, rax) = plt.subplots(2, 1, figsize=(6, 5.4), gridspec_kw={"height_ratios": (3, 1)}, sharex=True)
    centers = 0.5 * (edges[1:] + edges[:-1])
    # drawn directly (mplhep.histplot looks the same and costs 3x the time for 200+ figures)
    ax.errorbar(centers, hb, yerr=eb, fmt="o", ms=3, color=COLOR_B, label=labels[1], elinewidth=1)
    ax.stairs(ha, edges, color=COLOR_A, label=labels[0], linewidth=1.5, baseline=None)
    ax.errorbar(centers, ha, yerr=ea, fmt="none", ecolor=COLOR_A, elinewidth=1)
    positive = np.concatenate([ha[ha > 0], hb[hb > 0]])
    if len(positive) and positive.max() / positive.min() > 300:
        ax.set_yscale("log")
    ax.set_ylabel("density" if density else "entries")
    ax.legend(title=title)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = ha / hb
        err = ratio * np.sqrt((ea / ha) ** 2 + (eb / hb) ** 2)
    ok = np.isfinite(ratio) & np.isfinite(err)
    rax.errorbar(centers[ok], ratio[ok], yerr=err[ok], xerr=0.5 * np.diff(edges)[ok], fmt="o", ms=3,
                 color=COLOR_A, elinewidth=1)
    rax.axhline(1, color="grey", linewidth=1)
    rax.set_ylim(0.5, 1.5)
    rax.set_ylabel(f"{labels[0][:10]}/{labels[1][:10]}", fontsize=11)
    rax.set_xlabel(xlabel)
    fig.align_ylabels()
    _save(fig, path)


def efficiency_figure(path, curves, labels, what):
    """Efficiency vs gen pt (log x) and vs gen eta, A and B, ratio below.

    curves: {"pt": (edges, (eff_a, err_a), (eff_b, err_b)), "eta": (...)}.
    """
    plt, _ = _plt()
    fig, axes = plt.subplots(2, 2, figsize=(11, 5.4), gridspec_kw={"height_ratios": (3, 1)}, sharex="col")
    for col, (key, xlabel) in enumerate((("pt", f"gen {what} $p_T$ [GeV]"), ("eta", f"gen {what} $\\eta$"))):
        edges, (ea, sa), (eb, sb) = curves[key]
        centers = 0.5 * (edges[1:] + edges[:-1])
        half = 0.5 * np.diff(edges)
        ax, rax = axes[0, col], axes[1, col]
        ax.errorbar(centers, eb, yerr=sb, xerr=half, fmt="o", ms=3, color=COLOR_B, label=labels[1])
        ax.errorbar(centers, ea, yerr=sa, xerr=half, fmt="s", ms=3, color=COLOR_A, label=labels[0], mfc="none")
        ax.set_ylim(0, 1.15)
        ax.set_ylabel("efficiency")
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = ea / eb
            err = ratio * np.sqrt((sa / ea) ** 2 + (sb / eb) ** 2)
        ok = np.isfinite(ratio) & np.isfinite(err)
        rax.errorbar(centers[ok], ratio[ok], yerr=err[ok], xerr=half[ok], fmt="o", ms=3, color=COLOR_A)
        rax.axhline(1, color="grey", linewidth=1)
        rax.set_ylim(0.8, 1.2)
        rax.set_xlabel(xlabel)
        if key == "pt":
            ax.set_xscale("log")
        ax.legend(loc="lower right")
    _save(fig, path)


def efficiency_map_figure(path, edges_eta, edges_phi, map_a, map_b, labels):
    """(eta, phi) efficiency maps of A and B and their difference."""
    plt, _ = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    for ax, m, title, cmap, lim in ((axes[0], map_a, labels[0], "viridis", (0, 1)),
                                    (axes[1], map_b, labels[1], "viridis", (0, 1)),
                                    (axes[2], map_a - map_b, f"{labels[0]} - {labels[1]}", "RdBu_r", (-0.3, 0.3))):
        mesh = ax.pcolormesh(edges_eta, edges_phi, m.T, cmap=cmap, vmin=lim[0], vmax=lim[1])
        fig.colorbar(mesh, ax=ax)
        ax.set_title(title)
        ax.set_xlabel("gen $\\eta$")
        ax.set_ylabel("gen $\\phi$")
    fig.tight_layout()
    _save(fig, path)


def response_figure(path, profiles, labels, what):
    """Median response (reco/gen pt) and resolution vs gen pt and gen eta, A and B.

    profiles: {"pt": (edges, prof_a, prof_b), "eta": (...)} with response_profile dicts.
    """
    plt, _ = _plt()
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex="col")
    for col, (key, xlabel) in enumerate((("pt", f"gen {what} $p_T$ [GeV]"), ("eta", f"gen {what} $\\eta$"))):
        edges, pa, pb = profiles[key]
        centers = 0.5 * (edges[1:] + edges[:-1])
        half = 0.5 * np.diff(edges)
        for row, (q, ylabel) in enumerate((("median", "median $p_T$/gen $p_T$"),
                                           ("resolution", "resolution (half 68% width / median)"))):
            ax = axes[row, col]
            ax.errorbar(centers, pb[q], yerr=pb[q + "_err"], xerr=half, fmt="o", ms=3, color=COLOR_B, label=labels[1])
            ax.errorbar(centers, pa[q], yerr=pa[q + "_err"], xerr=half, fmt="s", ms=3, color=COLOR_A,
                        label=labels[0], mfc="none")
            ax.set_ylabel(ylabel, fontsize=12)
            if key == "pt":
                ax.set_xscale("log")
            if row == 1:
                ax.set_xlabel(xlabel)
                ax.set_ylim(bottom=0)
            ax.legend()
    fig.tight_layout()
    _save(fig, path)


def correlation_figure(path, names, corr_a, corr_b, labels):
    """Pearson correlation matrices of A and B side by side, and A - B."""
    plt, _ = _plt()
    n = len(names)
    size = max(5.0, 0.22 * n + 2.5)
    fig, axes = plt.subplots(1, 3, figsize=(3 * size, size))
    short = [s.split("_", 1)[-1] for s in names]
    panels = ((axes[0], corr_a, labels[0], "RdBu_r", 1.0), (axes[1], corr_b, labels[1], "RdBu_r", 1.0),
              (axes[2], corr_a - corr_b, f"{labels[0]} - {labels[1]}", "PiYG", 0.2))
    for ax, m, title, cmap, lim in panels:
        im = ax.imshow(m, cmap=cmap, vmin=-lim, vmax=lim)
        ax.set_xticks(range(n), short, rotation=90, fontsize=8)
        ax.set_yticks(range(n), short, fontsize=8)
        ax.minorticks_off()
        ax.set_title(title)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    _save(fig, path)


def roc_figure(path, rocs, labels):
    """ROC curves: background efficiency (log) vs signal efficiency; A solid, B dashed.

    rocs: list of (name, roc_a, roc_b) with flashsim.validate.performance.Roc values.
    """
    plt, _ = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (name, ra, rb) in enumerate(rocs):
        c = colors[i % len(colors)]
        ax.plot(rb.signal_eff, rb.background_eff, color=c, linestyle="--",
                label=f"{name} {labels[1]} (AUC {rb.auc:.3f})")
        ax.plot(ra.signal_eff, ra.background_eff, color=c, label=f"{name} {labels[0]} (AUC {ra.auc:.3f})")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 1.2)
    ax.set_xlim(0, 1)
    ax.set_xlabel("signal efficiency")
    ax.set_ylabel("background efficiency")
    ax.legend(fontsize=9, loc="lower right")
    _save(fig, path)

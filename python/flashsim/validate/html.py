"""index.html of the validation report: plain HTML + CSS, images beside it (img/), no script,
no network access, so it opens anywhere (a browser, a CI artifact viewer, a mail attachment)."""

from __future__ import annotations

import html
import math

__all__ = ["write_html"]

SUMMARY_ROWS = 25

_CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 1.5em auto; max-width: 1400px;
       color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 2px solid #e76300; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; white-space: nowrap; }
th { background: #f3f3f3; } td.l, th.l { text-align: left; }
.bad { background: #f8c9c4; } .few { color: #888; } .warn { background: #fbe7b5; } .ok { background: #d7efd2; }
.grid { display: flex; flex-wrap: wrap; gap: 8px; }
figure { margin: 0; border: 1px solid #ddd; padding: 4px; background: #fff; }
figure img { display: block; max-width: 100%; } figcaption { font-size: 0.8em; color: #555; }
.note { color: #555; font-size: 0.9em; } nav a { margin-right: 0.8em; }
"""


def _f(x, digits=3):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:.{digits}f}"


def _grade_w1(row) -> str:
    """Red: W1 beyond noise by more than 0.05 reference standard deviations; yellow: beyond
    noise at all (w1 > null + 3 sigma); green: within noise."""
    excess = row.get("w1_excess")
    if excess is None or row.get("few_entries"):
        return "few"
    return "bad" if excess > 0.05 else ("warn" if excess > 0 else "ok")


def _pm(result: dict) -> str:
    """'0.512 &plusmn; 0.004' of a two-sample result, '-' when there is none."""
    if not result or result.get("auc") is None:
        return "-"
    error = result.get("auc_error")
    return _f(result["auc"]) + (f" &plusmn; {_f(error)}" if error is not None and error == error else "")


VARIABLE_ROWS = 5  # per collection: the variables that give a sample away most


def _diagnostics(report, esc) -> list:
    """Two tables: the AUC in bins of the matched gen pt, and the AUC of each variable alone given
    gen (the top VARIABLE_ROWS of any process per collection), one column per process."""
    processes = report["processes"]
    seen = {"yes": " (trained)", "no": " (not trained)"}
    heads = "".join(f"<th>{esc(p)}{seen.get(v.get('seen_in_training'), '')}</th>" for p, v in processes.items())
    out = []
    binned = [(p, c, info["auc"]["by_gen_pt"]) for p, v in processes.items() for c, info in v["collections"].items()
              if (info.get("auc") or {}).get("by_gen_pt")]
    if binned:
        bins = []
        for *_, rows in binned:
            bins += [r["bin"] for r in rows if r["bin"] not in bins]
        out.append("<h3 id='auc-gen-pt'>AUC by matched gen pt (GeV)</h3><table><tr><th class='l'>process</th>"
                   "<th class='l'>collection</th>" + "".join(f"<th>{esc(b)}</th>" for b in bins) + "</tr>")
        for p, c, rows in binned:
            cell = {r["bin"]: r for r in rows}
            out.append(f"<tr><td class='l'>{esc(p)}</td><td class='l'>{esc(c)}</td>" + "".join(
                f"<td class='{_grade_auc(cell[b]['auc'])}'>{_pm(cell[b])}</td>" if b in cell else "<td>-</td>"
                for b in bins) + "</tr>")
        out.append("</table>")
    ranked = {}
    for p, v in processes.items():
        for c, info in v["collections"].items():
            for r in info.get("variable_auc") or []:
                ranked.setdefault(c, {}).setdefault(r["variable"], {})[p] = r
    if ranked:
        out.append("<h3 id='auc-variables'>Each variable alone given gen</h3><p class='note'>The two-sample test "
                   "of one reco variable with the matched gen object's pt, eta and phi (and the response and "
                   "pileup; for an event group, GenMET and the pileup): the "
                   f"{VARIABLE_ROWS} of each collection that give a sample away most.</p>"
                   f"<table><tr><th class='l'>collection</th><th class='l'>variable</th>{heads}</tr>")
        for c, variables in ranked.items():
            top = sorted(variables, key=lambda v: -max(r["auc"] for r in variables[v].values()))[:VARIABLE_ROWS]
            for v in top:
                out.append(f"<tr><td class='l'>{esc(c)}</td><td class='l'>{esc(v)}</td>" + "".join(
                    f"<td class='{_grade_auc(variables[v][p]['auc'])}'>{_pm(variables[v][p])}</td>"
                    if p in variables[v] else "<td>-</td>" for p in processes) + "</tr>")
        out.append("</table>")
    return out


def _grade_auc(auc) -> str:
    if auc is None:
        return ""
    if auc < 0.45:
        return "bad"  # below 0.5: a leak (DESIGN.md), not a good model
    return "ok" if auc < 0.55 else ("warn" if auc < 0.65 else "bad")


def write_html(path, report: dict, sections: list) -> None:
    """Writes the page: processes, summary of the worst variables, AUC per collection, toy
    analyses' yields, then one section of figures per (process, collection or analysis)."""
    esc = html.escape
    la, lb = report["labels"]["a"], report["labels"]["b"]
    out = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>FlashSim validation: {esc(la)} vs "
           f"{esc(lb)}</title><style>{_CSS}</style></head><body>",
           f"<h1>FlashSim validation: {esc(la)} vs {esc(lb)}</h1>",
           f"<p class='note'>{report['figures']} figures, made in {report['seconds']} s. W1: Wasserstein-1 distance "
           f"divided by the {esc(lb)} standard deviation; null: the same after swapping {esc(la)} and {esc(lb)} "
           "within random events (statistics alone: mean &plusmn; spread of 16 swaps); variables are ranked by the W1 "
           "beyond noise, W1 - (null + 3 spread); variables with fewer than 100 entries (grey) come last. Red: beyond "
           "noise by more than 0.05; yellow: beyond noise. "
           "KS: Kolmogorov-Smirnov distance. AUC: classifier "
           "two-sample test per collection (boosted trees and an MLP, their log-odds weighted by stacking; "
           "split by event; "
           "reco variables, the matched gen object "
           "and the response to it, pileup; balanced classes; &plusmn; bootstrap error over test events; "
           "0.5 = indistinguishable, below 0.5 = a leak); control: the same test of the reference against itself "
           "made with another detector seed, when given; distinguishable: beyond the control (or 0.5) by more "
           "than 2 standard errors.</p>"]
    trained = report.get("training_processes")
    out.append("<h2 id='processes'>Processes</h2><table><tr><th class='l'>process</th><th>seen in training</th>"
               f"<th>events {esc(la)}</th><th>events {esc(lb)}</th><th class='l'>files</th></tr>")
    for name, p in report["processes"].items():
        files = f"{esc(p['files']['a'])}<br>{esc(p['files']['b'])}"
        out.append(f"<tr><td class='l'>{esc(name)}</td><td>{p['seen_in_training']}</td><td>{p['events']['a']}</td>"
                   f"<td>{p['events']['b']}</td><td class='l'>{files}</td></tr>")
    out.append("</table>")
    for name, p in report["processes"].items():
        missing = [g for g, v in p.get("only_in_b", {}).items() if g not in p["collections"]]
        if missing:
            out.append(f"<p class='note'>{esc(name)}: not in {esc(la)}, not compared: {esc(', '.join(missing))}</p>")
    if report.get("bundle"):
        listed = ", ".join(trained) if trained else "not listed in the manifest"
        out.append(f"<p class='note'>bundle {esc(report['bundle'])}: trained on {esc(listed)}</p>")
    out.append(f"<h2 id='summary'>Worst variables first (top {SUMMARY_ROWS})</h2><table><tr><th>#</th>"
               "<th class='l'>process</th><th class='l'>group</th><th class='l'>variable</th><th>W1</th><th>null</th>"
               f"<th>beyond noise</th><th>KS</th><th>KS p-value</th><th>mean {esc(la)}</th><th>mean {esc(lb)}</th>"
               f"<th>n {esc(la)}</th><th>n {esc(lb)}</th></tr>")
    for i, r in enumerate(report["ranking"][:SUMMARY_ROWS]):
        anchor = esc(f"{r['process']}__{r['group']}")
        out.append(f"<tr class='{_grade_w1(r)}'><td>{i + 1}</td><td class='l'>{esc(r['process'])}</td>"
                   f"<td class='l'><a href='#{anchor}'>{esc(r['group'])}</a></td><td class='l'>{esc(r['name'])}</td>"
                   f"<td>{_f(r['w1'])}</td><td>{_f(r['w1_null'])} &plusmn; {_f(r['w1_null_std'])}</td>"
                   f"<td>{_f(r['w1_excess'])}</td><td>{_f(r['ks'])}</td>"
                   f"<td>{_f(r['ks_pvalue'], 3)}</td><td>{_f(r['mean_a'], 4)}</td><td>{_f(r['mean_b'], 4)}</td>"
                   f"<td>{r['n_a']}</td><td>{r['n_b']}</td></tr>")
    out.append("</table>")
    out.append("<h2 id='auc'>Per collection</h2><table><tr><th class='l'>process</th><th class='l'>collection</th>"
               "<th>AUC</th><th>control</th><th class='l'>what it means</th><th>AUC train</th><th>test objects</th>"
               f"<th>features</th><th>efficiency {esc(la)}</th><th>efficiency {esc(lb)}</th><th>max |corr diff|</th>"
               "</tr>")
    sensitivities = {}
    for pname, p in report["processes"].items():
        for cname, c in p["collections"].items():
            auc = c.get("auc") or {}
            control = c.get("auc_control") or {}
            eff = c.get("efficiency") or {}
            meaning = c.get("auc_reading") or {}
            if meaning.get("sensitivity"):
                sensitivities[pname] = meaning["sensitivity"]
            out.append(f"<tr><td class='l'>{esc(pname)}</td><td class='l'><a href='#{esc(pname)}__{esc(cname)}'>"
                       f"{esc(cname)}</a></td><td class='{_grade_auc(auc.get('auc'))}'>{_pm(auc)}</td>"
                       f"<td>{_pm(control)}</td><td class='l'>{esc(meaning.get('text', ''))}</td>"
                       f"<td>{_f(auc.get('auc_train'))}</td><td>{auc.get('n_test', '-')}</td>"
                       f"<td>{auc.get('features', '-')}</td><td>{_f(eff.get('a'))}</td><td>{_f(eff.get('b'))}</td>"
                       f"<td>{_f(c.get('correlation_max_abs_diff'))}</td></tr>")
    out.append("</table>")
    for pname, text in sensitivities.items():
        out.append(f"<p class='note'>{esc(pname)}: {esc(text)}.</p>")
    out += _diagnostics(report, esc)
    out.append("<h2 id='analyses'>Toy analyses</h2><table><tr><th class='l'>process</th><th class='l'>analysis</th>"
               f"<th>selected {esc(la)}</th><th>selected {esc(lb)}</th><th>ratio</th><th class='l'>note</th></tr>")
    for pname, p in report["processes"].items():
        for aname, a in p["analyses"].items():
            sel = a.get("selected", {})
            ratio = sel["a"] / sel["b"] if sel.get("b") else None
            out.append(f"<tr><td class='l'>{esc(pname)}</td><td class='l'><a href='#{esc(pname)}__{esc(aname)}'>"
                       f"{esc(a.get('title', aname))}</a></td><td>{_f(sel.get('a'), 0)}</td><td>{_f(sel.get('b'), 0)}"
                       f"</td><td>{_f(ratio)}</td><td class='l'>{esc(a.get('skipped', ''))}</td></tr>")
    out.append("</table><nav>" + "".join(f"<a href='#{esc(s['anchor'])}'>{esc(s['title'])}</a>" for s in sections)
               + "</nav>")
    for s in sections:
        out.append(f"<h2 id='{esc(s['anchor'])}'>{esc(s['title'])}</h2>")
        if s.get("note"):
            out.append(f"<p class='note'>{esc(s['note'])}</p>")
        out.append("<div class='grid'>")
        for fig in s["figures"]:
            out.append(f"<figure><img src='{esc(fig['src'])}' alt='{esc(fig['caption'])}' loading='lazy'>"
                       f"<figcaption>{esc(fig['caption'])}</figcaption></figure>")
        out.append("</div>")
    out.append("</body></html>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")

"""Fidelity of a simulation against a reference: metrics, figures, the HTML report, toy analyses
and fast generator variations.

- ``validate(nano, reference, output)`` / ``validate_processes(pairs, output)``: the report
  (flashsim.validate.report; ``flashsim validate`` on the command line).
- ``two_sample_test``: the classifier two-sample test, split by event, with a bootstrap error
  (flashsim.validate.two_sample; its rows: flashsim.validate.two_sample_rows; what its AUC
  means at a given sample size: flashsim.validate.sensitivity).
- ``variable_metrics``: Wasserstein-1 over the reference spread and KS, with null values.
- ``flashsim.validate.analyses``: the VBF H->mumu and ZH->llbb toy analyses (RDataFrame).
- ``varied_prediction`` / ``generator_variation``: reference x FlashSim varied / nominal.

Importing this package imports nothing heavy; numpy, matplotlib, torch and ROOT load when used.
"""

import importlib

# name -> module, imported on first use (``flashsim --help`` imports this package's command)
_EXPORTS = {
    "ProcessPair": "report", "validate": "report", "validate_processes": "report",
    "TwoSampleResult": "two_sample", "two_sample_auc": "two_sample", "two_sample_test": "two_sample",
    "weighted_auc": "two_sample",
    "VariableMetrics": "metrics", "variable_metrics": "metrics",
    "VariedPrediction": "variations", "generator_variation": "variations", "varied_prediction": "variations",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"flashsim.validate.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'flashsim.validate' has no attribute {name!r}")

"""Fidelity of a simulation against a reference: metrics, figures, the HTML report, toy analyses
and fast generator variations.

- ``validate(nano, reference, output)`` / ``validate_processes(pairs, output)``: the report
  (flashsim.validate.report; ``flashsim validate`` on the command line).
- ``two_sample_auc``: classifier two-sample test, split by event (flashsim.validate.two_sample).
- ``variable_metrics``: Wasserstein-1 over the reference spread and KS, with null values.
- ``flashsim.validate.analyses``: the VBF H->mumu and ZH->llbb toy analyses (RDataFrame).
- ``varied_prediction`` / ``generator_variation``: reference x FlashSim varied / nominal.

Importing this package imports numpy only; matplotlib, torch and ROOT load when used.
"""

from flashsim.validate.metrics import VariableMetrics, variable_metrics
from flashsim.validate.report import ProcessPair, validate, validate_processes
from flashsim.validate.two_sample import TwoSampleResult, two_sample_auc, weighted_auc
from flashsim.validate.variations import VariedPrediction, generator_variation, varied_prediction

__all__ = ["ProcessPair", "TwoSampleResult", "VariableMetrics", "VariedPrediction", "generator_variation",
           "two_sample_auc", "validate", "validate_processes", "variable_metrics", "varied_prediction",
           "weighted_auc"]

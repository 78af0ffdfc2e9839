"""Fidelity measurements: classifier two-sample tests (more to come: metrics, plots, reports)."""

from flashsim.validate.two_sample import TwoSampleResult, two_sample_auc, weighted_auc

__all__ = ["TwoSampleResult", "two_sample_auc", "weighted_auc"]

"""The two-sample test combines the log-odds of boosted trees and an MLP fitted on the same training events
(issue "The validation report's two-sample test"): each part's AUC is reported beside the combination, which
sees what either part sees, with weights fitted on held-out training events; a fixed seed gives the same AUC,
and an unknown classifier is refused."""

from dataclasses import replace

import numpy as np
import pytest

from flashsim.validate.two_sample import SETTINGS, two_sample_test


def _flag_flipped(n, share, seed):
    """A flag that is a step function of a continuous variable in A, flipped in ``share`` of the rows of B."""
    rng = np.random.default_rng(seed)
    xa, xb = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    for x in (xa, xb):
        x[:, 2] = (x[:, 0] + 0.3 * x[:, 1] > 0).astype(float)
    flip = rng.uniform(size=n) < share
    xb[flip, 2] = 1.0 - xb[flip, 2]
    return xa, xb, np.arange(n)


def test_the_sum_and_its_parts_see_a_flipped_flag():
    xa, xb, events = _flag_flipped(6000, 0.10, seed=1)
    result = two_sample_test(xa, xb, events, events, seed=0)
    assert set(result.auc_by_classifier) == {"trees", "mlp"}
    # a flipped row is off the step, which no row of A is: the ceiling is 0.5 + 0.10 / 2
    assert result.auc > 0.5 + 3 * result.auc_error and result.auc > 0.52, result
    assert result.auc >= min(result.auc_by_classifier.values()) - result.auc_error
    assert result.to_json()["auc_by_classifier"] == result.auc_by_classifier
    assert result.to_json()["weights"] == result.weights


def test_the_parts_are_weighted_by_what_they_see_out_of_fold():
    xa, xb, events = _flag_flipped(6000, 0.10, seed=1)
    result = two_sample_test(xa, xb, events, events, seed=0)
    assert set(result.weights) == {"trees", "mlp"}
    assert min(result.weights.values()) >= 0 and sum(result.weights.values()) == pytest.approx(1.0)
    # here the MLP sees the flipped rows better than the trees do (0.558 against 0.540 on the test events)
    assert result.auc_by_classifier["mlp"] > result.auc_by_classifier["trees"]
    assert result.weights["mlp"] > result.weights["trees"], result
    equal = two_sample_test(xa, xb, events, events, seed=0, settings=replace(SETTINGS, stack_folds=0))
    assert equal.weights == {"trees": 0.5, "mlp": 0.5}


def test_identical_samples_are_indistinguishable():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(8000, 4))
    events = np.arange(4000).repeat(2)  # two rows per event, the same event in both samples
    result = two_sample_test(x[::2], x[1::2], events[::2], events[1::2], seed=0)
    assert abs(result.auc - 0.5) < 3 * result.auc_error + 0.005, result


def test_a_fixed_seed_gives_the_same_auc():
    xa, xb, events = _flag_flipped(3000, 0.10, seed=3)
    first, second = (two_sample_test(xa, xb, events, events, seed=4) for _ in range(2))
    assert first.auc == second.auc and first.auc_by_classifier == second.auc_by_classifier


def test_one_classifier_alone_is_the_sum():
    xa, xb, events = _flag_flipped(3000, 0.10, seed=5)
    trees = two_sample_test(xa, xb, events, events, seed=0, settings=replace(SETTINGS, classifiers=("trees",)))
    assert set(trees.auc_by_classifier) == {"trees"} and trees.auc == trees.auc_by_classifier["trees"]
    assert trees.trees > 0
    mlp = two_sample_test(xa, xb, events, events, seed=0, settings=replace(SETTINGS, classifiers=("mlp",)))
    assert set(mlp.auc_by_classifier) == {"mlp"} and mlp.auc == mlp.auc_by_classifier["mlp"] and mlp.trees == 0


@pytest.mark.parametrize("classifiers", [("svm",), ()])
def test_an_unknown_classifier_is_refused(classifiers):
    xa, xb, events = _flag_flipped(200, 0.10, seed=6)
    with pytest.raises(ValueError, match="classifiers: expected 'trees' and/or 'mlp'"):
        two_sample_test(xa, xb, events, events, settings=replace(SETTINGS, classifiers=classifiers))

"""Learning is not trivial: the naive stand-in is told apart (AUC >= 0.75), the control is not."""

from flashsim.refsim.naive_check import naive_check


def test_naive_standin_is_distinguishable_and_control_is_not(ttbar_gen, full_file):
    res = naive_check(str(full_file(ttbar_gen, seed=1)), str(full_file(ttbar_gen, seed=2)))
    naive, control, distorted = res["naive"], res["control"], res["distorted"]
    assert naive.n_test > 2000 and naive.n_test_events > 300
    assert naive.auc >= 0.75, naive
    assert abs(control.auc - 0.5) < 0.05, control
    assert distorted.auc > control.auc + 0.05, (distorted, control)


def test_two_sample_auc_sees_a_ten_percent_pt_scale():
    """The metric can tell a distortion: reference vs pt scaled by 1.1 (DESIGN.md's check)."""
    import numpy as np

    from flashsim.validate.two_sample import two_sample_auc

    rng = np.random.default_rng(1)
    n = 6000
    gen = rng.exponential(40, n) + 20
    ev = np.arange(n) // 6
    ref = np.stack([gen, gen * (1 + 0.1 * rng.normal(size=n))], axis=1)
    same = np.stack([gen, gen * (1 + 0.1 * rng.normal(size=n))], axis=1)
    scaled = np.stack([gen, 1.1 * gen * (1 + 0.1 * rng.normal(size=n))], axis=1)
    assert abs(two_sample_auc(ref, same, ev, ev, epochs=15).auc - 0.5) < 0.05
    assert two_sample_auc(ref, scaled, ev, ev, epochs=15).auc > 0.6


def test_weighted_auc_known_values():
    import numpy as np

    from flashsim.validate.two_sample import weighted_auc

    assert weighted_auc(np.array([0.1, 0.2, 0.8, 0.9]), np.array([0, 0, 1, 1])) == 1.0
    assert weighted_auc(np.array([0.5, 0.5]), np.array([0, 1])) == 0.5
    s = np.array([0.3, 0.1, 0.4, 0.35])
    y = np.array([1, 0, 0, 1])
    assert abs(weighted_auc(s, y) - 0.5) < 1e-12
    assert abs(weighted_auc(s, y, np.array([1, 1, 1, 3])) - 0.5) < 1e-12

"""The networks of a bundle and how they learn.

    efficiency.py      p(reconstructed | gen): an MLP classifier (cross-entropy)
    velocity_field.py  v(x, t | gen): a residual MLP, the conditional flow-matching field
    flow_matching.py   the training objective (straight paths from noise to data)
    labels.py          p(flags, working points | flow output, gen): the label head (cross-entropy)
    training.py        one loop for both: validation split, schedule, early stopping,
                       checkpoints and resume, NaN guard

torch is imported by these modules, not by ``import flashsim``.
"""

__all__ = []

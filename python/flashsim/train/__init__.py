"""Training: the source catalogue, transform fitting, network training, export to a bundle, and
the Python reference sampler that runs a bundle without the C++ layer."""

"""Event rate of flashsim.rdf.simulate: 1 vs 2 threads and four ODE solvers, side by side.

    .venv/bin/python benchmarks/bench_simulate.py [--events N] [--input gen.root --bundle DIR]
    .venv/bin/python benchmarks/bench_simulate.py --dask-local 2   # 2 threads vs 2 local Dask workers

Same as `flashsim bench`.
"""

import sys

from flashsim.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))

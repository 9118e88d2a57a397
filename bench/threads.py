"""The benchmarks' thread and memory settings; import it before NumPy (bench/run.py and
bench/canon.py do, first thing).

One thread for everything unless BENCH_THREADS says otherwise: NumPy's BLAS through
OPENBLAS_NUM_THREADS (and its OpenMP and MKL equivalents). NumPy asks Linux for
transparent huge pages on arrays of 4 MiB and more; PyTorch does not (unless
THP_MEM_ALLOC_ENABLE is set). Off by default here, so that both get memory the same
way; on, NumPy's largest calls are faster on average but stall unpredictably while the
kernel compacts memory. NUMPY_MADVISE_HUGEPAGE=1 turns it on.
"""

import os

THREADS = int(os.environ.get("BENCH_THREADS", "1"))
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = str(THREADS)
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

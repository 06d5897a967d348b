"""motcua: software for a commune-level Public Administrative Service Center."""

import os
import warnings

# The procedure finder multiplies one query vector by a few thousand passage vectors while the
# embedding engine runs its own OpenMP threads. OpenBLAS's spinning worker threads compete with
# those for the two cores of a commune machine and double the query latency (measured: p50
# 52 ms → 25 ms), so BLAS stays single-threaded unless the operator says otherwise. Set here,
# before anything imports numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# pyhanko (PAdES signing) imports cryptography's DSA types at start-up, and cryptography warns
# that DSA is deprecated on every ``motcua`` command and server start. Our keys are RSA
# (signing/pki.py) and nothing here signs with DSA, so the warning is only noise to the
# operator reading the shell; just that one message from that one module is silenced.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko\.")

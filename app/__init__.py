"""nnplay's web application: a FastAPI server around the NumPy engine in `engine`.

The app depends on the engine, never the other way round. It serves the REST API
under ``/api``, the live websocket and the saved-model store (see ``app.main``).

A server runs many small runs at once, each making many small matrix products.
OpenBLAS's own threads only spin on those (measured with 40 live sessions: a whole
second core burnt for no gain). The engine computes with one BLAS thread whatever
the process has (``engine.blas_threads``, which keeps its numbers independent of
the thread count); the server also starts BLAS with one thread unless the
environment says otherwise, so its processes hold no idle BLAS threads and the
engine finds the count already at one. This must happen before NumPy is first
imported.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

__version__ = "0.1.0"

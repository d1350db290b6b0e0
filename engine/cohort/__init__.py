"""Cohorts: runs of the same shape trained as one stacked computation.

A playground step is a few dozen NumPy calls on tiny arrays, so its cost is the
calls, not the arithmetic. A class usually plays one lesson with one network
shape: stacking the runs along a leading axis makes each layer's work one call
for all of them (:mod:`engine.cohort.twins`), while each run keeps its own data,
seeds, settings and state, and gets bit for bit the numbers it gets alone.

* :func:`cohort_key`: equal for runs that can train together (None: alone).
* :func:`train_together`: n steps for each of a cohort's runs.
"""

from engine.cohort.key import cohort_key
from engine.cohort.train import train_together

__all__ = ["cohort_key", "train_together"]

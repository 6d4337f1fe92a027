"""cs231n_utils: the shared package behind the course notebooks.

Modules, one job each: gradcheck (numerical gradients, diagnoses), data (shipped data sets),
viz (plots), layers / fast_layers / rnn_layers (reference building blocks), optim (update
rules), solver (training loop), testing (helpers for graded test cells), grading (course commands).
"""

__version__ = "0.1.0"

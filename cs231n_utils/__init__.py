"""cs231n_utils: the package the course notebooks import (the learner's side).

Modules, one job each: gradcheck (numerical gradients, diagnoses), data (shipped data sets),
viz (plots), layers / fast_layers / rnn_layers (reference building blocks), optim (update
rules), solver (training loop), testing (helpers for graded test cells). The course tools
(build, check, grade) are the separate package cs231n_course, which this one never imports.
"""

__version__ = "0.1.0"

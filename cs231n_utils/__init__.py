"""cs231n_utils: the package the course notebooks import (the learner's side).

Modules, one job each: gradcheck (numerical gradients, diagnoses), data (shipped data sets),
viz (plots), fast_layers / rnn_layers (given building blocks: fast max pooling, temporal affine),
mine (your own functions from earlier notebooks), solver (training loop), testing (helpers for
graded test cells). The course tools (build, check, grade) are the separate package
cs231n_course, which this one never imports.
"""

__version__ = "0.1.0"

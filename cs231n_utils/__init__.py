"""cs231n_utils: the package the course notebooks import (the learner's side).

Modules, one job each: mine (your own functions from earlier notebooks), gradcheck (numerical
gradients, diagnoses), data (shipped data sets), viz (plots), fast_layers (fast max pooling) and
rnn_layers (a stable sigmoid, the temporal affine layer): the building blocks no exercise asks for,
solver (training loop), testing (helpers for graded test cells). The layers and update rules are
yours: notebooks 03-08 have you write them, and later notebooks import them through mine. The
course tools (build, check, grade) are the separate package cs231n_course, which this one never
imports.
"""

__version__ = "0.1.0"

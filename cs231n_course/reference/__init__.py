"""The instructor's reference implementations of the graded exercises.

Generated from the sources' solution regions by `cs231n-course build` (refgen.py): layers,
classifiers, optim, fast_layers, cnn, rnn_layers; edit the sources, never these. Hand-written:
fast_conv, the fast convolution that no notebook asks for. They serve the hidden tests (which
switch them off with `reference_disabled` while the learner's code runs), the wrong-answer banks
and the package's unit tests. Grading kernels never see them (the sandbox hides this folder);
there `cs231n_utils.mine` hands notebook N the solution notebooks of notebooks < N instead
(course.reference_env).
"""

"""The instructor's reference implementations of the graded exercises.

They serve the hidden tests (which switch them off with `reference_disabled` while the learner's
code runs), the wrong-answer banks and the package's unit tests. Grading kernels never see them
(the sandbox hides this folder); there `cs231n_utils.mine` hands notebook N the solution notebooks
of notebooks < N instead (course.reference_env). Learners
get them only when an instructor unlocks a notebook (`cs231n-course release --unlock`).
Modules as the exercises group them: layers, classifiers, optim, fast_layers, cnn, rnn_layers.
"""

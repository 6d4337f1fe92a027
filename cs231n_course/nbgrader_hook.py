"""The course's hook into nbgrader: every notebook that nbgrader runs with the course's configuration
runs on the instructor's notebooks before it, as `cs231n-course grade` does.

`cs231n_utils.mine` hands a notebook the functions of earlier notebooks from the folder that
CS231N_NOTEBOOKS names, by default the notebook's parent folder: in nbgrader's layout
(submitted/<student>/<assignment>/), the learner's own. assignments/nbgrader_config.py calls
`use_references(c, __file__)`, which puts ReferencesExecute in place of nbgrader's Execute wherever
nbgrader runs notebooks (autograde and Formgrader's autograde button, generate_solution, validate and
the lab's Validate button). It writes the references of the notebooks before the one it runs
(Course.earlier_solutions: their code only) into a fresh folder and starts the kernel with
CS231N_NOTEBOOKS pointing there.
"""

import os
import tempfile
from pathlib import Path

from nbgrader.converters import Autograde, GenerateSolution
from nbgrader.preprocessors import Execute
from nbgrader.validator import Validator
from traitlets import Unicode

from .course import Course, reference_env, write_references


class ReferencesExecute(Execute):
    """nbgrader's Execute, with a kernel whose `cs231n_utils.mine` reads the references of the
    notebooks before the one it runs. The notebook is nbgrader's notebook id (autograde) or, where
    nbgrader does not say (validate), the name of its folder (one notebook per assignment, named
    after it); a notebook that is not one of the course's keeps mine's default."""

    course = Unicode(help="the course folder (the one with sources/)").tag(config=True)

    _references = None  # the folder of the references, while a notebook runs

    def preprocess(self, nb, resources=None, km=None):
        resources = resources or {}
        course = Course(Path(self.course))
        assignment = resources.get("nbgrader", {}).get("notebook") or \
            Path(resources.get("metadata", {}).get("path") or os.getcwd()).name
        if assignment not in course.assignments():
            self.log.warning("%s is not a notebook of the course in %s: cs231n_utils.mine reads the "
                             "notebooks beside it", assignment, course.root)
            return super().preprocess(nb, resources, km)
        with tempfile.TemporaryDirectory(prefix="cs231n-references-") as folder:
            write_references(course.earlier_solutions(assignment), folder)
            self._references = folder
            try:
                return super().preprocess(nb, resources, km)
            finally:
                self._references = None

    def start_new_kernel(self, **kwargs):  # what preprocess calls (it wraps nbclient's own async one)
        if self._references:
            kwargs["env"] = {**os.environ, **reference_env(self._references)}
        super().start_new_kernel(**kwargs)


def use_references(c, config_file):
    """Configure nbgrader (its config object c, from the course's config file config_file, whose
    ../sources are the course's) to run every notebook with ReferencesExecute."""
    c.ReferencesExecute.course = str(Path(config_file).resolve().parent.parent)
    c.Autograde.autograde_preprocessors = _swapped(Autograde.autograde_preprocessors.default())
    c.GenerateSolution.preprocessors = _swapped(GenerateSolution.preprocessors.default())
    # nbgrader 0.9's Validator has no config option for its preprocessors: its default list is set
    validator = Validator.class_traits()["preprocessors"]
    validator.default_args = (_swapped(validator.default()),)


def _swapped(preprocessors):
    return [ReferencesExecute if p is Execute else p for p in preprocessors]

"""Run course notebooks for the tests: questions, and one live kernel per notebook.

A *question* is a solution cell (nbgrader grade_id Q) with its graded test cells (grade_ids
starting with Q + "_test"). Wrong answers come from the banks (cs231n_utils.grading.mutants).
"""

import copy
import tempfile
from dataclasses import dataclass

import nbformat
from nbclient import NotebookClient
from nbgrader.utils import determine_grade

from cs231n_utils.grading.mutants import mutate


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


def solution_cells(nb):
    """{grade_id: cell} of the autograded answer cells, in notebook order."""
    return {nbgrader_meta(c)["grade_id"]: c for c in nb.cells
            if c.cell_type == "code" and nbgrader_meta(c).get("solution")}


def graded_test_cells(nb, question):
    return [c for c in nb.cells if nbgrader_meta(c).get("grade")
            and nbgrader_meta(c)["grade_id"].startswith(question + "_test")]


@dataclass
class Outcome:
    question: str
    description: str
    scores: dict  # question -> (score, max_score)


class LiveNotebook:
    """One kernel that has run a whole notebook; cells can be swapped and tests re-run."""

    def __init__(self, path, timeout=300):
        self.nb = nbformat.read(path, as_version=4)
        self._tmp = tempfile.TemporaryDirectory()
        self.client = NotebookClient(self.nb, kernel_name="python3", timeout=timeout,
                                     allow_errors=True,
                                     resources={"metadata": {"path": self._tmp.name}})
        self.index = {c.id: i for i, c in enumerate(self.nb.cells)}

    def __enter__(self):
        self._kernel = self.client.setup_kernel()
        self._kernel.__enter__()
        for i, cell in enumerate(self.nb.cells):
            self.client.execute_cell(cell, i)
        return self

    def __exit__(self, *exc):
        self._kernel.__exit__(*exc)
        self._tmp.cleanup()

    def run(self, cell, source=None):
        """Execute a copy of cell (with another source, if given); return the executed copy."""
        twin = copy.deepcopy(cell)
        if source is not None:
            twin.source = source
        self.client.execute_cell(twin, self.index[cell.id])
        return twin

    def scores(self, questions):
        """{question: (score, max_score)} from re-running each question's test cells."""
        result = {}
        for q in questions:
            got = total = 0.0
            for cell in graded_test_cells(self.nb, q):
                score, max_score = determine_grade(self.run(cell))
                got, total = got + score, total + max_score
            result[q] = (got, total)
        return result

    def try_wrong_answers(self, bank):
        """Run every wrong answer of the bank; return a list of Outcome (solution restored)."""
        cells = solution_cells(self.nb)
        outcomes = []
        for question, wrong_answers in bank.BANK.items():
            cell = cells[question]
            for description, old, new in wrong_answers:
                self.run(cell, mutate(cell.source, old, new))
                outcomes.append(Outcome(question, description, self.scores(cells)))
                self.run(cell)
        return outcomes


def graded_questions(nb):
    return [q for q in solution_cells(nb) if graded_test_cells(nb, q)]

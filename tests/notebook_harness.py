"""Run course notebooks for the tests: questions, and one live kernel per notebook.

A *question* is a solution cell (nbgrader grade_id Q) with its graded test cells (grade_ids
starting with Q + "_test"). Wrong answers come from the banks (tests/fixtures).
"""

import copy
import tempfile
from dataclasses import dataclass

import nbformat
from fixtures import wrong_answer
from nbclient import NotebookClient
from nbgrader.utils import determine_grade

from cs231n_course.cells import answer_cells, test_cells


@dataclass
class Outcome:
    question: str
    description: str
    scores: dict  # question -> (score, max_score)


class LiveNotebook:
    """One kernel that has run a whole notebook; cells can be swapped and tests re-run."""

    def __init__(self, notebook, timeout=300):
        """notebook: a NotebookNode (copied) or the path of a notebook file."""
        self.nb = (copy.deepcopy(notebook) if isinstance(notebook, nbformat.NotebookNode)
                   else nbformat.read(notebook, as_version=4))
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
            for cell in test_cells(self.nb, q):
                score, max_score = determine_grade(self.run(cell))
                got, total = got + score, total + max_score
            result[q] = (got, total)
        return result

    def try_wrong_answers(self, bank):
        """Run every wrong answer of the bank; return a list of Outcome (solution restored)."""
        cells = answer_cells(self.nb)
        outcomes = []
        for question, wrong_answers in bank.BANK.items():
            cell = cells[question]
            for description, old, new in wrong_answers:
                self.run(cell, wrong_answer(cell.source, old, new, grade_id=question,
                                             description=description))
                outcomes.append(Outcome(question, description, self.scores(cells)))
                self.run(cell)
        return outcomes


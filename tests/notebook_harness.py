"""Run course notebooks for the tests: questions, and one live kernel per notebook.

A *question* is a solution cell (nbgrader grade_id Q) with its graded test cells (grade_ids
starting with Q + "_test"). The tests cells are judged as the grader judges them: by the trusted
judge, outside the kernel (cs231n_course.grading.judge). Wrong answers come from the banks
(tests/fixtures).
"""

import atexit
import copy
import functools
import os
import shutil
import tempfile
from dataclasses import dataclass

import nbformat
from fixtures import dependents, wrong_answer
from jupyter_client import KernelManager
from jupyter_client.asynchronous import AsyncKernelClient
from nbclient import NotebookClient

from cs231n_course import cells
from cs231n_course.cells import answer_cells, test_cells
from cs231n_course.course import find_course, reference_env, references, write_references
from cs231n_course.grading.judge import Judge


@functools.cache
def every_reference():
    """The environment in which cs231n_utils.mine takes every notebook from the references of its
    solution, as the grader gives notebook N those of the notebooks before it (a notebook never
    takes its own exercises from mine, so one folder of them all does for every notebook)."""
    course = find_course(os.path.dirname(__file__))
    folder = tempfile.mkdtemp(prefix="cs231n-references-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    every = {a: nbformat.writes(references(course.solution(a))) for a in course.assignments()}
    write_references(every, folder)
    return reference_env(folder)


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
        self.timeout = timeout
        self.index = {c.id: i for i, c in enumerate(self.nb.cells)}

    def __enter__(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=self._tmp.name, env={**os.environ, **every_reference()})
        ready = self.km.client()
        ready.start_channels()
        ready.wait_for_ready(timeout=60)
        ready.execute_interactive("import cs231n_course.grading.remote as _cs231n_remote", timeout=60)
        ready.stop_channels()
        self.client = NotebookClient(self.nb, km=self.km, timeout=self.timeout, allow_errors=True,
                                     resources={"metadata": {"path": self._tmp.name}})
        self.client.kc = AsyncKernelClient(parent=self.km, connection_file=self.km.connection_file,
                                           **self.km.get_connection_info(session=True))
        self.client.kc.start_channels()
        self.client.reset_execution_trackers()
        self.judge = Judge(self.km, self.nb, self.timeout)
        for cell in self.nb.cells:
            self.run(cell)
        return self

    def __exit__(self, *exc):
        self.judge.close()
        self.client.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
        self._tmp.cleanup()

    def run(self, cell, source=None):
        """Execute a copy of cell (with another source, if given): a tests cell by the judge,
        any other in the kernel. Returns the executed copy and, for a tests cell, its CellResult."""
        twin = copy.deepcopy(cell)
        if source is not None:
            twin.source = source
        if cells.kind(twin) is cells.Kind.TESTS:
            return twin, self.judge.run(twin)
        if twin.cell_type == "code":
            self.client.execute_cell(twin, self.index[cell.id])
            self.nb.cells[self.index[cell.id]] = cell  # nbclient put the copy there: keep self.nb as given
        return twin, None

    def execute(self, code):
        """Run code in the kernel, outside the notebook; returns what it printed."""
        cell, first = nbformat.v4.new_code_cell(code), self.nb.cells[0]
        self.client.execute_cell(cell, 0)  # (a second client's execute_interactive hangs nbclient)
        self.nb.cells[0] = first  # nbclient put the cell there
        errors = [out for out in cell.outputs if out.output_type == "error"]
        if errors:
            raise RuntimeError(f"{errors[0].ename}: {errors[0].evalue}")
        return "".join(out.text for out in cell.outputs if out.output_type == "stream")

    def scores(self, questions):
        """{question: (score, max_score)} from judging each question's test cells again."""
        result = {}
        for q in questions:
            got = total = 0.0
            for cell in test_cells(self.nb, q):
                verdict = self.run(cell)[1]
                got, total = got + verdict.score, total + verdict.max_score
            result[q] = (got, total)
        return result

    def try_wrong_answers(self, bank):
        """Run every wrong answer of the bank; return a list of Outcome.

        Questions are taken in notebook order: as in a run from the top, a wrong answer can only
        change the questions at or after its own. Each wrong answer is judged on its own question
        and on those that use it (bank.DEPENDS); the first wrong answer of a question also on every
        later question, which must keep its points (whether a test uses another question's answer
        does not depend on which wrong answer it is). Outcome.scores holds the questions judged.
        The solution cell is restored once after the last wrong answer of its question (each wrong
        answer replaces the whole cell anyway), and only when another question uses it: a cell
        that trains a network trains once per wrong answer.
        """
        cells = answer_cells(self.nb)
        order = list(cells)
        outcomes = []
        for question in sorted(bank.BANK, key=order.index):
            cell, later = cells[question], order[order.index(question):]
            used_by = dependents(bank.DEPENDS, question)
            for i, (description, old, new) in enumerate(bank.BANK[question]):
                self.run(cell, wrong_answer(cell.source, old, new, grade_id=question,
                                             description=description))
                judged = [q for q in later if q in used_by] if i else later
                outcomes.append(Outcome(question, description, self.scores(judged)))
            if used_by != {question}:
                self.run(cell)
        return outcomes


def bank_problems(bank, outcomes):
    """What the outcomes of try_wrong_answers say is wrong with the tests or the bank: a wrong
    answer that keeps all its question's points, or that costs points on a question that does not
    declare it uses that answer (bank.DEPENDS)."""
    problems = []
    for o in outcomes:
        score, max_score = o.scores[o.question]
        if score >= max_score:
            problems.append(f"{o.question}: '{o.description}' keeps all {max_score:g} points")
        hurt = [q for q, (got, possible) in o.scores.items()
                if q not in dependents(bank.DEPENDS, o.question) and got < possible]
        if hurt:
            problems.append(f"{o.question}: '{o.description}' also loses points on {hurt} "
                            "(declare the dependency in DEPENDS, or make those tests independent)")
    return problems

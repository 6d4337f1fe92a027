import os
from pathlib import Path

import nbformat
import pytest

from cs231n_course.course import Course, references, write_references
from cs231n_utils import mine

os.environ.setdefault("MPLBACKEND", "Agg")
# the tests run notebooks in parallel on every core: one BLAS thread each avoids oversubscription
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

COURSE = Course(Path(__file__).resolve().parents[1])


@pytest.fixture(scope="session")
def course():
    return COURSE


# besides those marked slow, the tests that run whole notebooks (in live kernels)
RUNS_NOTEBOOKS = {"test_every_wrong_answer_loses_points",
                  "test_the_trusted_judge_gives_the_blank_release_zero"}


def pytest_collection_modifyitems(items):
    """The longest tests first, the later (longer) notebooks before the earlier: pytest-xdist hands
    tests out in this order, so that both test processes end together, not one of them running a
    long notebook alone at the end. The rest stay as collected."""
    order = COURSE.assignments()

    def longest_first(item):
        if not (item.get_closest_marker("slow") or item.originalname in RUNS_NOTEBOOKS):
            return (1, 0)
        params = item.callspec.params if hasattr(item, "callspec") else {}
        return (0, -order.index(params["assignment"]) if "assignment" in params else 0)

    items.sort(key=longest_first)


@pytest.fixture(scope="session", autouse=True)
def _mine_on_the_instructors_notebooks(tmp_path_factory):
    """cs231n_utils.mine, in the test process as in the grader's own, hands out the instructor's
    references: gradcheck computes with notebook 01's, the Solver takes 06's update rules (a test
    that points mine elsewhere does so itself)."""
    folder = tmp_path_factory.mktemp("references")
    notebooks = {a: nbformat.writes(references(COURSE.solution(a))) for a in COURSE.assignments()}
    write_references(notebooks, folder)
    mine.NOTEBOOKS = str(folder)


@pytest.fixture(autouse=True)
def _grouped_as_marked(request):
    """Under `--dist loadgroup`, the tests marked xdist_group must run in one test process, where
    they share expensive fixtures; fail, saying why, when pytest-xdist did not group them."""
    if (getattr(request.config.option, "loadgroup", False) and "@" not in request.node.nodeid
            and request.node.get_closest_marker("xdist_group")):
        pytest.fail("pytest-xdist did not group this test with the others of its xdist_group: use a "
                    "pytest that it supports (see the dev extras in pyproject.toml)", pytrace=False)

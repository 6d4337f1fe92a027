import os
from pathlib import Path

import pytest

from cs231n_course.course import Course

os.environ.setdefault("MPLBACKEND", "Agg")
# the tests run notebooks in parallel on every core: one BLAS thread each avoids oversubscription
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

COURSE = Course(Path(__file__).resolve().parents[1])


@pytest.fixture(scope="session")
def course():
    return COURSE

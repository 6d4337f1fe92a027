import os
from pathlib import Path

import pytest

from cs231n_utils.grading.course import Course

os.environ.setdefault("MPLBACKEND", "Agg")

COURSE = Course(Path(__file__).resolve().parents[1])


@pytest.fixture(scope="session")
def course():
    return COURSE

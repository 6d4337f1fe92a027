# nbgrader configuration of the course. Run nbgrader commands from this folder, e.g.
#   cd assignments && nbgrader autograde 01_chain_rule
# Authors edit the text sources ../sources/<assignment>.py. `make build` (cs231n-course build)
# generates from them the nbgrader source notebooks in ../solutions (solutions and hidden tests;
# not committed) and the student notebooks in ../notebooks (committed) with generate_assignment.
# Run `make build` before nbgrader commands that read ../solutions; submitted/, autograded/,
# feedback/ and gradebook.db appear here.
from cs231n_course.nbgrader_hook import use_references

c = get_config()  # noqa: F821 (defined by traitlets when it loads this file)

c.CourseDirectory.course_id = "cs231n-backprop"
c.CourseDirectory.source_directory = "../solutions"
c.CourseDirectory.release_directory = "../notebooks"

# Every file of a source folder is copied into the release: the build puts exactly one notebook
# in each ../solutions/<assignment>/ (never the text source). Caches and checkpoints never are.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.py"]

# Seconds per cell (nbgrader ignores ExecutePreprocessor.timeout); every solution cell runs in
# well under this on 2 cores.
c.Execute.timeout = 120
c.Execute.kernel_name = "python3"

# Every notebook nbgrader runs with this configuration (autograde, Formgrader's autograde button,
# validate, the Validate button) takes the functions of earlier notebooks that it imports through
# cs231n_utils.mine from the instructor's notebooks (their code only), never from the learner's own.
use_references(c, __file__)

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

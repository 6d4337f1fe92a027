# nbgrader configuration of the course. Run nbgrader commands from this folder, e.g.
#   cd assignments && nbgrader generate_assignment 01_chain_rule --force
# The sources (with solutions and hidden tests) live in ../solutions, the student versions
# are written to ../notebooks; submitted/, autograded/, feedback/ and gradebook.db appear here.
c = get_config()  # noqa: F821 (defined by traitlets when it loads this file)

c.CourseDirectory.course_id = "cs231n-backprop"
c.CourseDirectory.source_directory = "../solutions"
c.CourseDirectory.release_directory = "../notebooks"

# Only notebooks and files students may see belong in a source folder: every file there is
# copied into the release. Caches and checkpoints never are.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.py"]

# Seconds per cell (nbgrader ignores ExecutePreprocessor.timeout); every solution cell runs in
# well under this on 2 cores.
c.Execute.timeout = 120
c.Execute.kernel_name = "python3"

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

"""The course tools: build and check the notebooks from their text sources, grade a class.

For instructors and authors; learners never import it (their package is cs231n_utils, which
never imports this one). The command line is cli.py (`cs231n-course`); the nbgrader cell
vocabulary is cells.py; the grader is the grading/ subpackage.

Kept free of imports: the sandboxed kernel imports grading.integrity and must start fast.
"""

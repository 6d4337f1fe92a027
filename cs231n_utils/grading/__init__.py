"""The course's grading tools. The command line is in cli.py (`cs231n-course`).

Kept free of imports: the sandboxed kernel imports grading.integrity and must start fast.
"""

"""The grader, one pipeline with one job per module (data flows down this list, never up):

submissions  find and read the class's notebooks          -> Submission
assemble     rebuild each with its source's protected cells
scan         read the learner's code for tampering (second line of defence)
remote       the narrow channel: plain data only, handles for the rest (its kernel half runs there)
kernel       a fresh kernel per notebook, started through sandbox.py (bubblewrap, own uid, limits)
run          execute the notebook under time and output limits; tests cells go to the judge -> Run
judge        the trusted judge: runs each tests cell here, calls the learner's code via remote -> CellResult
feedback     the student's feedback page
notebook     all of the above for one submission            -> NotebookResult (results.py)
record       the course of record (--out): an nbgrader course folder, each submission saved whole
gradebook    gradebook.db, updated in place, never losing what a person entered
outputs      grades.csv, totals.csv, summary.png, feedback pages, the score table, the LMS export
pipeline     a class on local worker processes or a Dask cluster, resumable
stock        the same class graded by stock `nbgrader autograde`, for comparison
similarity   which students' answers are alike, question by question: a report beside the grades

Kept free of imports: the sandboxed kernel imports grading.integrity and must start fast.
"""

"""The grader, one job per module. Data flows down this list: no module imports one below it
(a test of the architecture holds them to it; docs/architecture.md shows the same list).

limits       the limits a submission runs under, one form from the command line to the sandbox
results      typed records, and the rows of grades.csv and totals.csv for every engine
submissions  find and read the class's notebooks                      -> Submission
assemble     rebuild each with its source's protected cells
scan         read the learner's code for tampering (second line of defence)
integrity    the integrity probe: its kernel half and its protocol (second line of defence)
remote       the narrow channel's plain data and framing; its kernel half runs there
proxy        RemoteObject: an object of the learner's kernel, as a test sees it
channel      the judge's end of the channel: sockets, waiting, callbacks, copy-back, limits
sandbox      the launcher that starts a kernel in bubblewrap (run as a script, by kernel)
kernel       a fresh sandboxed kernel per notebook, booted ahead of need
run          execute the notebook under time and output limits; tests cells go to the judge -> Run
judge        the trusted judge: runs each tests cell in the grader's process  -> CellResult
feedback     the student's feedback page
notebook     all of the above for one submission                     -> NotebookResult
record       the course of record (--out): an nbgrader course folder, each submission saved whole
gradebook    gradebook.db, updated in place, never losing what a person entered
outputs      grades.csv, totals.csv, summary.png, feedback pages, the score table, the LMS export
pipeline     a class on local worker processes or a Dask cluster, resumable
stock        the same class graded by stock `nbgrader autograde`, for comparison
similarity   which students' answers are alike, question by question: a report beside the grades

Kept free of imports: the sandboxed kernel imports grading.remote and grading.integrity and must
start fast.
"""

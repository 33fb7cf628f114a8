"""The corpus run: every jobspec under `../shared/corpus` through the generator and validation.

`python -m tools.corpus [--shared DIR] [--out DIR] [--jobs N] [--limit N] [--report json]`
generates one module per corpus file in worker processes (a crash or hang in
one file is recorded, never fatal to the run), writes the modules into one
directory, validates them all with one `validate_directories` call and prints
a table: files, files python-hcl2 parses, modules written and valid, input
errors / warnings / infos by code, tracebacks and invalid modules. Exit 1 on
any traceback, invalid module or malformed input error; 0 otherwise.
"""

from tools.corpus.collect import Corpus, CorpusFile, collect_corpus
from tools.corpus.runner import generate_all, run_corpus
from tools.corpus.summary import FileResult, Outcome, Summary

__all__ = [
    "Corpus",
    "CorpusFile",
    "FileResult",
    "Outcome",
    "Summary",
    "collect_corpus",
    "generate_all",
    "run_corpus",
]

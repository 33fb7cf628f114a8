"""`python -m tools.corpus`: see `tools.corpus.cli`."""

import sys

from tools.corpus.cli import main

sys.exit(main())

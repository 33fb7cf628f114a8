"""`python -m generator.corpus`: see `generator.corpus.cli`."""

import sys

from generator.corpus.cli import main

sys.exit(main())

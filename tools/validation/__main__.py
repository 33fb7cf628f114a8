"""`python -m tools.validation`: see `tools.validation.cli`."""

import sys

from tools.validation.cli import main

sys.exit(main())

"""`python -m generator.validation`: see `generator.validation.cli`."""

import sys

from generator.validation.cli import main

sys.exit(main())

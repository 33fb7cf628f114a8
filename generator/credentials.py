"""Names that look like they hold a credential (env vars, jobspec variables)."""

from __future__ import annotations

import re

CREDENTIAL_NAME = re.compile(r"PASSWORD|PASSWD|TOKEN|SECRET|_KEY$|^KEY$|API_KEY|PRIVATE", re.I)

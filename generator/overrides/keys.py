"""Which field identifies an item of a repeated block (or a list of objects in a manifest).

Items of these are merged one by one on the key, as `kubectl patch --type strategic`
merges on its patch merge keys; every other repeated block is replaced as a whole list.
"""

from __future__ import annotations

MERGE_KEYS: dict[str, str] = {
    "container": "name",
    "init_container": "name",
    "env": "name",
    "port": "name",
    "volume": "name",
    "volume_mount": "mount_path",
    "rule": "host",  # an Ingress rule
    "data": "secretKey",  # ExternalSecret spec.data (a kubectl_manifest list)
}

"""A fallback schema for provider alekc/kubectl 2.1.3, for machines without `../shared`.

Its only resource, `kubectl_manifest`, is small and stable; this is the same
document as `../shared/schemas/terraform/alekc-kubectl-2.1.3.json` (transcribed
by hand from the provider's source at that tag), and a test keeps the two
equal while `../shared` is present.
"""

from typing import Any

VERSION = "2.1.3"

KUBECTL_2_1_3: dict[str, Any] = {
    "format_version": "1.0",
    "provider_schemas": {
        "registry.terraform.io/alekc/kubectl": {
            "provider": {"version": 0, "block": {}},
            "resource_schemas": {
                "kubectl_manifest": {
                    "version": 1,
                    "block": {
                        "attributes": {
                            "id": {"type": "string", "optional": True, "computed": True},
                            "uid": {"type": "string", "computed": True},
                            "live_uid": {"type": "string", "computed": True},
                            "yaml_incluster": {
                                "type": "string",
                                "computed": True,
                                "sensitive": True,
                            },
                            "live_manifest_incluster": {
                                "type": "string",
                                "computed": True,
                                "sensitive": True,
                            },
                            "api_version": {"type": "string", "computed": True},
                            "kind": {"type": "string", "computed": True},
                            "name": {"type": "string", "computed": True},
                            "namespace": {"type": "string", "computed": True},
                            "override_namespace": {"type": "string", "optional": True},
                            "yaml_body": {"type": "string", "required": True, "sensitive": True},
                            "yaml_body_parsed": {"type": "string", "computed": True},
                            "sensitive_fields": {"type": ["list", "string"], "optional": True},
                            "force_new": {"type": "bool", "optional": True},
                            "server_side_apply": {"type": "bool", "optional": True},
                            "field_manager": {"type": "string", "optional": True},
                            "force_conflicts": {"type": "bool", "optional": True},
                            "apply_only": {"type": "bool", "optional": True},
                            "ignore_fields": {"type": ["list", "string"], "optional": True},
                            "wait": {"type": "bool", "optional": True},
                            "wait_for_rollout": {"type": "bool", "optional": True},
                            "validate_schema": {"type": "bool", "optional": True},
                            "delete_cascade": {"type": "string", "optional": True},
                        },
                        "block_types": {
                            "wait_for": {
                                "nesting_mode": "list",
                                "max_items": 1,
                                "block": {
                                    "block_types": {
                                        "condition": {
                                            "nesting_mode": "list",
                                            "block": {
                                                "attributes": {
                                                    "type": {"type": "string", "required": True},
                                                    "status": {"type": "string", "required": True},
                                                }
                                            },
                                        },
                                        "field": {
                                            "nesting_mode": "list",
                                            "block": {
                                                "attributes": {
                                                    "key": {"type": "string", "required": True},
                                                    "value": {"type": "string", "required": True},
                                                    "value_type": {
                                                        "type": "string",
                                                        "optional": True,
                                                    },
                                                }
                                            },
                                        },
                                    }
                                },
                            },
                            "timeouts": {
                                "nesting_mode": "single",
                                "block": {
                                    "attributes": {
                                        "create": {"type": "string", "optional": True},
                                        "update": {"type": "string", "optional": True},
                                        "delete": {"type": "string", "optional": True},
                                    }
                                },
                            },
                        },
                    },
                }
            },
        }
    },
}

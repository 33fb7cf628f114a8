"""Every diagnostic code the generator emits, with what it means (the matrix lists them)."""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    kind: str  # "input error" stops generation (exit 2); "finding" is reported and goes on
    meaning: str


CODES: dict[str, Code] = {
    # Findings: the module is written, the diagnostic says what was not carried.
    "dropped": Code("finding", "a setting with no Kubernetes equivalent, left out on purpose"),
    "unsupported": Code("finding", "a setting the generator cannot translate; carry it by hand"),
    "needs-decision": Code("finding", "translated with an assumption a human should confirm"),
    "unknown-setting": Code("finding", "a setting absent from the conversion table: not carried"),
    "literal-credential": Code("finding", "a credential-looking env value written in the jobspec"),
    "nomad-variable": Code("finding", "a Nomad variable read through the ExternalSecret"),
    "consul-key": Code("finding", "a Consul KV value read through the ExternalSecret"),
    "moved-to-cluster": Code(
        "finding", "a Traefik middleware that rewrites the path, run by the cluster's Ingress"
    ),
    "unevaluated-expression": Code("finding", "an HCL expression that could not be evaluated"),
    "unexpanded-dynamic": Code("finding", "a `dynamic` block whose for_each is not known"),
    "undeclared-variable-value": Code("finding", "a --var or var-file value nobody declares"),
    "variable-from-environment": Code("finding", "a variable value taken from NOMAD_VAR_*"),
    "connect-loopback": Code(
        "finding", "a loopback address that only worked beside the Consul Connect sidecar"
    ),
    "pod-address": Code(
        "finding", "another task's address in a file or Secret, which is loopback in the pod"
    ),
    "nomad-default": Code("finding", "a Nomad default the jobspec relies on, made explicit"),
    "module-input": Code("finding", "a jobspec variable that is a module variable of another name"),
    "relocated": Code("finding", "a task-dir path moved where the spec's `relocate:` says"),
    "relocate-unused": Code("finding", "a `relocate:` key of the spec that matches nothing"),
    "override-not-applied": Code(
        "finding", "a spec override whose target the module no longer has, or already as given"
    ),
    "override-cascade": Code(
        "finding",
        "an output or module variable removed because an override deleted what it read",
    ),
    # Input errors: exit 2, one line `file:line: code: reason`, nothing written.
    "unreadable": Code("input error", "the file cannot be read as UTF-8 text"),
    "hcl-syntax": Code("input error", "the file is not valid HCL2"),
    "hcl1-syntax": Code("input error", "HCL1-only syntax, which Nomad no longer reads"),
    "heredoc-syntax": Code("input error", "a heredoc HCL2 rejects"),
    "json-jobspec": Code("input error", "a JSON jobspec (API format), not HCL"),
    "template-source": Code("input error", "a nomad-pack/levant template: render it first"),
    "templatefile-source": Code("input error", "a Terraform templatefile() source: pass --var"),
    "no-job": Code("input error", "the file has no `job` block"),
    "no-groups": Code("input error", "the job has no `group` block"),
    "no-containers": Code("input error", "a group with no task that can run as a container"),
    "csi-plugin": Code("input error", "a CSI plugin job: cluster infrastructure"),
    "unsupported-job-type": Code("input error", "parameterized or sysbatch: no equivalent"),
    "pattern-conflict": Code("input error", "--pattern contradicts the jobspec"),
    "invalid-value": Code("input error", "a setting of the wrong type"),
    "invalid-name": Code("input error", "a name that cannot become a Kubernetes name"),
    "unresolved-expression": Code("input error", "a value needed as a literal is an expression"),
    "missing-variable": Code(
        "input error", "a variable with no value decides what the generator writes"
    ),
    "undeclared-variable": Code("input error", "var.x where no variable x is declared"),
    "undeclared-local": Code("input error", "local.x where no local x is defined"),
    "local-cycle": Code("input error", "locals that depend on each other"),
    "duplicate-local": Code("input error", "a local defined twice"),
    "duplicate-variable": Code("input error", "a variable declared twice"),
    "invalid-variable": Code("input error", "a variable value that does not fit its type"),
    "invalid-var-file": Code("input error", "a --var-file that cannot be read"),
    "missing-file": Code("input error", "file() names a file that does not exist"),
    "file-not-allowed": Code(
        "input error", "file() of a non-regular, too large or outside-the-repository file"
    ),
    "input-too-large": Code("input error", "a jobspec or var file past the size limits"),
    "too-deep": Code("input error", "input nested or chained deeper than the generator follows"),
    "limit-exceeded": Code("input error", "a value or an evaluation past the limits"),
    "invalid-settings": Code("input error", "settings YAML that does not validate"),
    "invalid-spec": Code("input error", "a service spec YAML that does not validate"),
    "relocate-conflict": Code(
        "input error", "`relocate:` moves a mount onto a path another volume is mounted at"
    ),
    "invalid-override": Code(
        "input error", "a spec override naming no resource, block or attribute, or of a wrong type"
    ),
    "invalid-argument": Code("input error", "a command-line argument or NOMAD_VAR_* unusable"),
    "too-large": Code("input error", "input larger than the generator can hold"),
    "invalid-addition": Code("input error", "a hand-written addition file name that is not plain"),
    "addition-collision": Code(
        "input error", "an addition named like a file the generator or another addition writes"
    ),
    "invalid-template": Code("input error", "a house-wide addition template that does not render"),
    # The output folder: exit 2, one line naming it, the module there left as it was.
    "output-folder": Code("input error", "the output folder cannot be created or replaced"),
    "output-locked": Code("input error", "another run kept the output folder locked too long"),
    "foreign-files": Code(
        "input error", "the module folder holds files the generator did not write"
    ),
    "terraform-state": Code("input error", "the module folder holds Terraform state"),
    "hand-edited": Code(
        "input error", "a generated file edited by hand since it was written (--force overwrites)"
    ),
    "unwritable": Code("input error", "generated text that cannot be written as UTF-8"),
}

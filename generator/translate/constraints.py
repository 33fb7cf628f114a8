"""Nomad constraints → node selectors, node affinity and host anti-affinity of the pod."""

from __future__ import annotations

import re
from collections.abc import Iterable

from generator.diagnostics import Severity
from generator.k8s_plan import MatchExpression, PodSpec
from generator.model import Constraint
from generator.plan_values import Ref
from generator.translate.context import Context

# Nomad node attributes with a well-known Kubernetes node label of the same meaning.
NODE_LABELS: dict[str, str] = {
    "${node.unique.name}": "kubernetes.io/hostname",
    "${attr.unique.hostname}": "kubernetes.io/hostname",
    "${attr.kernel.name}": "kubernetes.io/os",
    "${attr.cpu.arch}": "kubernetes.io/arch",
}
ARCH_LABEL = "kubernetes.io/arch"
HOSTNAME_LABEL = "kubernetes.io/hostname"
# A node's client `meta` has no Kubernetes twin; node labels are the nearest thing.
_META = re.compile(r"\$\{(?:node\.)?meta\.([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)\}")
_EQUAL = frozenset({"=", "==", "is"})
_NOT_EQUAL = frozenset({"!=", "not"})
# Operators that test a label's presence, and their node-affinity operators.
_PRESENCE = {"is_set": "Exists", "is_not_set": "DoesNotExist"}


def place_by_constraints(
    job_constraints: Iterable[Constraint],
    constraints: Iterable[Constraint],
    pod: PodSpec,
    selector: dict[str, str | Ref],
    ctx: Context,
    where: str,
) -> None:
    """Carry every constraint (the job's, then the group's and tasks') into `pod`, or report it.

    `selector` picks the group's pods, which `distinct_hosts` keeps on separate nodes; at job
    level it keeps every pod of the module apart.
    """
    arch_constrained = False
    labelled_meta: set[str] = set()
    job_level = list(job_constraints)
    for constraint in [*job_level, *constraints]:
        if constraint.operator == "distinct_hosts":
            if str(constraint.value).lower() != "false":
                scope = {"app": selector["app"]} if constraint in job_level else selector
                # The widest scope wins: a job-level one already keeps every pod apart.
                if pod.host_anti_affinity is None or len(scope) < len(pod.host_anti_affinity):
                    pod.host_anti_affinity = dict(scope)
            continue
        if constraint.value is not None and "${" in constraint.value:
            ctx.unsupported(
                f"{_described(constraint)}: a value known only at run time", constraint.line, where
            )
            continue
        attribute = (constraint.attribute or "").replace(" ", "")
        label = NODE_LABELS.get(attribute)
        meta = _META.fullmatch(attribute)
        if label is None and meta is not None:
            label = meta.group(1)
        if label is None or not _place(label, constraint, pod, ctx, where):
            ctx.unsupported(
                f"{_described(constraint)} has no node label mapping", constraint.line, where
            )
            continue
        arch_constrained |= label == ARCH_LABEL
        if (
            label == HOSTNAME_LABEL
            and constraint.value
            and constraint.value != node_name(constraint.value)
        ):
            ctx.report(
                Severity.INFO,
                "needs-decision",
                f"node name {constraint.value!r} becomes {node_name(constraint.value)!r}:"
                f" Kubernetes node names, and their {HOSTNAME_LABEL} label, are lower case",
                constraint.line,
                where,
            )
        if meta is not None and label not in labelled_meta:
            labelled_meta.add(label)
            ctx.needs_decision(
                f"client meta {meta.group(1)!r} becomes the node label {label!r}: label the"
                f" nodes that had it (kubectl label node NODE {label}=VALUE)",
                constraint.line,
                where,
            )
    if not arch_constrained and ctx.settings.arch_affinity:
        pod.node_affinity.append(
            MatchExpression(ARCH_LABEL, "In", list(ctx.settings.arch_affinity))
        )


def node_name(name: str) -> str:
    """A Nomad node name as the Kubernetes node of the same machine is called (lower case)."""
    return name.lower()


def _place(label: str, constraint: Constraint, pod: PodSpec, ctx: Context, where: str) -> bool:
    operator, value = constraint.operator, constraint.value
    if label == HOSTNAME_LABEL and value is not None:
        value = node_name(value)
    if operator in _PRESENCE:
        pod.node_affinity.append(MatchExpression(label, _PRESENCE[operator], []))
        return True
    if value is None:
        return False
    if operator in _EQUAL:
        if pod.node_selector.get(label, value) != value:
            ctx.needs_decision(
                f"{_described(constraint)} contradicts {label}={pod.node_selector[label]}: Nomad"
                " could place the job nowhere; the first value is kept",
                constraint.line,
                where,
            )
            return True
        pod.node_selector[label] = value
        return True
    if operator in _NOT_EQUAL:
        existing = next(
            (e for e in pod.node_affinity if e.key == label and e.operator == "NotIn"), None
        )
        if existing is None:
            pod.node_affinity.append(MatchExpression(label, "NotIn", [value]))
        elif value not in existing.values:
            existing.values.append(value)
        return True
    return False


def _described(constraint: Constraint) -> str:
    parts = [constraint.attribute, constraint.operator, constraint.value]
    return "constraint " + " ".join(str(p) for p in parts if p is not None)

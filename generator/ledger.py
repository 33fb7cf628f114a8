"""Coverage ledger: every attribute and block of the jobspec against the conversion table.

Settings the table marks dropped or unsupported, and settings it does not know,
become diagnostics with their line. Mapped settings are the translator's; where
their value cannot be carried, the translator reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from generator.conversion_rules import RULES, Rule, Status
from generator.diagnostics import Diagnostic, Severity
from generator.hcl.tree import Block

_REPORTED = {
    Status.DROPPED: (Severity.INFO, "dropped"),
    Status.UNSUPPORTED: (Severity.WARNING, "unsupported"),
}


@dataclass(frozen=True)
class _Compiled:
    rule: Rule
    pattern: re.Pattern[str]
    subtree: bool
    specificity: tuple[int, int]


@cache
def _compiled() -> tuple[_Compiled, ...]:
    compiled = []
    for rule in RULES:
        subtree = rule.path.endswith(".**")
        path = rule.path.removesuffix(".**")
        parts = path.split(".")
        regex = r"\.".join("[^.]+" if part == "*" else re.escape(part) for part in parts)
        wildcards = parts.count("*")
        compiled.append(
            _Compiled(rule, re.compile(regex + r"\Z"), subtree, (-wildcards, len(parts)))
        )
    return tuple(sorted(compiled, key=lambda c: c.specificity, reverse=True))


@lru_cache(maxsize=4096)  # a jobspec asks for the same few hundred paths again and again
def rule_for(path: str, subtree_only: bool = False) -> _Compiled | None:
    """The most specific rule for a path of block kinds (`job.group.task.config.image`)."""
    for candidate in _compiled():
        if subtree_only and not candidate.subtree:
            continue
        if candidate.pattern.match(path):
            return candidate
    return None


def ledger_diagnostics(root: Block) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for job in root.children("job"):
        _walk(job, "job", f"job[{job.label}]", found, inside_subtree=False)
    return found


def _report(
    found: list[Diagnostic], block: Block, rule: Rule | None, kind_path: str, shown: str, line: int
) -> None:
    if rule is None:
        found.append(
            Diagnostic(
                severity=Severity.WARNING,
                code="unknown-setting",
                message=f"{kind_path} is not in the conversion table: not carried",
                file=block.file,
                line=line,
                path=shown,
            )
        )
        return
    if rule.status in _REPORTED:
        severity, code = _REPORTED[rule.status]
        note = f": {rule.note}" if rule.note else ""
        found.append(
            Diagnostic(
                severity=severity,
                code=code,
                message=f"{kind_path.rsplit('.', 1)[-1]}{note}",
                file=block.file,
                line=line,
                path=shown,
            )
        )


def _block_rule(kind_path: str, inside_subtree: bool) -> _Compiled | None:
    """For a block, a subtree rule wins a tie with an attribute-style rule."""
    subtree = rule_for(kind_path, subtree_only=True)
    if inside_subtree:
        return subtree
    plain = rule_for(kind_path)
    if subtree is not None and (plain is None or subtree.specificity >= plain.specificity):
        return subtree
    return plain


def _walk(
    block: Block, kind_path: str, shown: str, found: list[Diagnostic], inside_subtree: bool
) -> None:
    match = _block_rule(kind_path, inside_subtree)
    if match is not None and match.subtree:
        _report(found, block, match.rule, kind_path, shown, block.line)
        inside_subtree = True
    elif not inside_subtree and match is None:
        _report(found, block, None, kind_path, shown, block.line)
        return
    for name, attribute in block.attributes.items():
        if inside_subtree:
            continue
        path = f"{kind_path}.{name}"
        attribute_match = rule_for(path)
        _report(
            found,
            block,
            attribute_match.rule if attribute_match else None,
            path,
            f"{shown}.{name}",
            attribute.line,
        )
    kinds = [child.kind for child in block.blocks]
    seen: dict[str, int] = {}
    for child in block.blocks:
        index = seen[child.kind] = seen.get(child.kind, -1) + 1
        label = f"[{child.label}]" if child.label else ""
        if not label and kinds.count(child.kind) > 1:
            label = f"[{index}]"
        _walk(
            child,
            f"{kind_path}.{child.kind}",
            f"{shown}.{child.kind}{label}",
            found,
            inside_subtree,
        )

"""Nomad's own normalization: a task written directly in the job is a group of its own.

(`normalizeJob` in Nomad's jobspec2 parser.) Done on the tree, before the
ledger and the model see it, so both read the same jobspec.
"""

from __future__ import annotations

from dataclasses import replace

from generator.hcl.tree import Block


def wrap_job_level_tasks(root: Block) -> Block:
    blocks = []
    for block in root.blocks:
        if block.kind == "job" and block.children("task"):
            children = [
                (
                    Block("group", task.labels, task.line, task.file, {}, [task])
                    if task.kind == "task"
                    else task
                )
                for task in block.blocks
            ]
            block = replace(block, blocks=children)
        blocks.append(block)
    return replace(root, blocks=blocks)

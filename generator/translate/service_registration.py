"""Service names and tags as Nomad registers them in Consul.

Nomad interpolates a service's name and tags before Consul (and so Traefik's
Consul Catalog provider) sees them: a task's services with the task's
environment (client/allocrunner/taskrunner/service_hook.go), a group's services
with the allocation's, which has no task (client/allocrunner/groupservice_hook.go),
both through `taskenv.InterpolateServices`. A `${name}` it does not know stays as
written (`taskenv.ReplaceEnv`); values known only on a node (`${attr.…}`,
`${NOMAD_ALLOC_ID}`) stay too, and the readers report them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from generator.model import Group, Job, ServiceDef, Task

_REFERENCE = re.compile(r"\$\{([^}]+)\}")


def registered_job(job: Job) -> Job:
    """The job with every service's name and tags as Consul receives them."""
    groups = []
    for group in job.groups:
        base = _environment(job, group, None)
        tasks = tuple(
            task.model_copy(
                update={
                    "services": tuple(
                        _service(s, _environment(job, group, task)) for s in task.services
                    )
                }
            )
            for task in group.tasks
        )
        services = tuple(_service(s, base) for s in group.services)
        groups.append(group.model_copy(update={"services": services, "tasks": tasks}))
    return job.model_copy(update={"groups": tuple(groups)})


def _environment(job: Job, group: Group, task: Task | None) -> dict[str, str]:
    meta: dict[str, Any] = {**job.meta, **group.meta, **(task.meta if task else {})}
    env = {
        "NOMAD_JOB_NAME": job.name,
        "NOMAD_JOB_ID": job.name,
        "NOMAD_GROUP_NAME": group.name,
        "NOMAD_NAMESPACE": job.namespace or "default",
    }
    for key, value in meta.items():
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            env[f"NOMAD_META_{key}"] = str(value)
            env.setdefault(f"NOMAD_META_{key.upper()}", str(value))
    if task is not None:
        env["NOMAD_TASK_NAME"] = task.name
        for key, value in task.env.items():
            if isinstance(value, str) and "${" not in value:
                env.setdefault(key, value)
    return env


def _service(service: ServiceDef, env: Mapping[str, str]) -> ServiceDef:
    def replace(text: str) -> str:
        return _REFERENCE.sub(lambda m: env.get(m.group(1), m.group(0)), text)

    name = replace(service.name) if service.name else service.name
    tags = tuple(replace(tag) for tag in service.tags)
    if name == service.name and tags == service.tags:
        return service
    return service.model_copy(update={"name": name, "tags": tags})

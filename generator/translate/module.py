"""A whole job → one `ModulePlan`: workloads per group plus variables and outputs."""

from __future__ import annotations

from pathlib import Path

from generator.classify import Classification
from generator.credentials import CREDENTIAL_NAME
from generator.diagnostics import InputError
from generator.hcl.unknowns import has_unknown
from generator.k8s_plan import (
    Ingress,
    IngressPath,
    IngressRule,
    ModulePlan,
    Output,
    Variable,
)
from generator.model import Job
from generator.plan_values import (
    LOCAL_APP_NAME,
    LOCAL_LABELS,
    NAMESPACE,
    Call,
    Inline,
    Ref,
    resource_name_of,
    var,
)
from generator.service_spec import ServiceSpec
from generator.translate.containers import ImageVariables
from generator.translate.context import Context
from generator.translate.cron import cron_schedule
from generator.translate.images import split_image
from generator.translate.name_limits import check_name_lengths, resolved_name
from generator.translate.name_scopes import check_names
from generator.translate.names import (
    APP_NAME,
    GroupNames,
    app_name_with,
    name_with_suffix,
    service_name_problem,
    tf_identifier,
    unique,
)
from generator.translate.ports import consul_services, job_port_numbers
from generator.translate.relocate import relocate_plan
from generator.translate.secrets import SecretsCollector, reads_target_secret
from generator.translate.service_registration import registered_job
from generator.translate.tasks import group_scope
from generator.translate.traefik import RouterTags
from generator.translate.traefik_snippet import GroupRouting, carry_routing
from generator.translate.workloads import GroupOutput, translate_group

UNSUPPORTED_JOB_TYPES = {
    "sysbatch": "sysbatch jobs run once on every node; Kubernetes has no equivalent workload",
}


def _group_names(job: Job, ctx: Context) -> dict[str, GroupNames]:
    single = len(job.groups) == 1
    names: dict[str, GroupNames] = {}
    taken: set[str] = set()
    suffixes: set[str] = set()
    for group in job.groups:
        if single or group.name == job.name:
            tf_name = unique("app" if single else tf_identifier(group.name), taken)
            names[group.name] = GroupNames(tf_name, APP_NAME, None)
        else:
            suffix = ctx.k8s(group.name, "group", group.line, f"group[{group.name}]")
            base, counter = suffix, 2
            while suffix in suffixes:
                suffix, counter = f"{base}-{counter}", counter + 1
            suffixes.add(suffix)
            names[group.name] = GroupNames(
                unique(tf_identifier(suffix), taken),
                app_name_with(suffix),
                suffix,
            )
    return names


def _check_migratable(job: Job) -> None:
    if job.type in UNSUPPORTED_JOB_TYPES:
        raise InputError(
            job.file, job.line, "unsupported-job-type", UNSUPPORTED_JOB_TYPES[job.type]
        )
    if job.parameterized:
        raise InputError(
            job.file,
            job.line,
            "unsupported-job-type",
            "parameterized jobs are dispatched on demand; Kubernetes has no equivalent"
            " (create a Job per dispatch instead)",
        )
    plugins = [t for g in job.groups for t in g.tasks if t.is_csi_plugin]
    if plugins:
        raise InputError(
            job.file,
            plugins[0].line,
            "csi-plugin",
            "this job runs a CSI plugin: cluster infrastructure, not a service to migrate"
            " (install the CSI driver in the cluster instead)",
        )
    if not job.groups:
        raise InputError(job.file, job.line, "no-groups", "the job has no `group` block")


def translate_job(
    job: Job,
    classification: Classification,
    spec: ServiceSpec,
    service: str,
    jobspec_dir: Path | None,
    ctx: Context,
) -> ModulePlan:
    _check_migratable(job)
    job = registered_job(job)
    check_names(job)
    problem = service_name_problem(service)
    if problem is not None:
        raise InputError(job.file, None, "invalid-name", problem)
    app_name = service
    labels: dict[str, str | Ref] = {"app": LOCAL_APP_NAME}
    labels.update({k: v for k, v in ctx.settings.labels.items() if k != "app"})
    plan = ModulePlan(service=service, app_name=app_name, labels=labels)
    images = ImageVariables()
    names = _group_names(job, ctx)
    multi = len(job.groups) > 1
    port_numbers = job_port_numbers(job.groups)
    internal_services: dict[str, tuple[str, int | None]] = {}
    for group in job.groups:
        suffix = names[group.name].suffix
        service_name = app_name if suffix is None else f"{app_name}-{suffix}"
        numbers = port_numbers[group.name][0]
        internal_services.update(
            consul_services(group, service_name, ctx.settings.traefik_default_rule, numbers)
        )
    ctx = ctx.for_job(internal_services, port_numbers)
    secrets = SecretsCollector(ctx)
    _register_primary_image(job, images)
    outputs: list[tuple[GroupNames, GroupOutput]] = []
    skipped: list[InputError] = []
    for group in job.groups:
        try:
            scope = group_scope(job, group, names[group.name], images, jobspec_dir, secrets, ctx)
            group_output = translate_group(
                scope, classification.groups[group.name], multi, spec.stateful_set
            )
        except InputError as error:
            if error.code != "no-containers" or len(job.groups) == 1:
                raise
            skipped.append(error)
            ctx.unsupported(
                error.message + "; the group is left out", error.line, f"group[{group.name}]"
            )
            continue
        outputs.append((names[group.name], group_output))

        plan.workloads.extend(group_output.workloads)
        plan.config_maps.extend(group_output.config_maps)
        if group_output.service:
            plan.services.append(group_output.service)
        if group_output.headless_service:
            plan.services.append(group_output.headless_service)
    if skipped and not plan.workloads:
        raise skipped[0]
    plan.variables.append(
        Variable("namespace", "string", "Namespace to deploy into.", ctx.settings.namespace)
    )
    plan.variables.extend(_jobspec_inputs(ctx))
    for repository, (variable, tag) in images.by_repository.items():
        plan.variables.append(
            Variable(
                variable,
                "string",
                f"Tag of the {repository} image.",
                tag or "latest",
                has_default=variable not in images.without_default,
            )
        )
    routed = [(n, o) for n, o in outputs if o.routers and o.service]
    routing: list[GroupRouting] = []
    for group_names, group_output in routed:
        _ingress(plan, group_names, group_output, spec, ctx, len(routed) > 1)
        routing.append(
            GroupRouting(
                group_names,
                group_output.routers,
                group_output.middlewares,
                group_output.middleware_lines,
                plan.ingresses[-1],
            )
        )
    carry_routing(plan, routing, ctx)
    for group_names, group_output in outputs:
        if (group_names, group_output) in routed:
            continue
        for name, line in group_output.middleware_lines.items():
            ctx.needs_decision(
                f"Traefik middleware {name!r} is defined, but no router of this group reaches"
                " the cluster: not carried",
                line,
                f"middleware[{name}]",
            )
    if any(w.resource_type == "kubernetes_cron_job_v1" for w in plan.workloads) and job.periodic:
        for index, cron in enumerate(job.periodic.crons or ("",)):
            name = "schedule" if index == 0 else f"schedule_{index + 1}"
            schedule = cron_schedule(cron, name, job.periodic.line, ctx)
            plan.variables.append(
                Variable(
                    name,
                    "string",
                    "Cron schedule (from the jobspec's periodic block).",
                    schedule,
                    has_default=schedule is not None,
                )
            )
        if job.periodic.crons and len(job.periodic.crons) > 1:
            ctx.notes.append(f"{len(job.periodic.crons)} crons became one CronJob each")
    for module_variable in ctx.module_variables.values():
        plan.variables.append(
            Variable(
                module_variable.name,
                "string",
                module_variable.description,
                module_variable.default,
            )
        )
    plan.external_secret = secrets.external_secret()
    if plan.external_secret is not None:
        for workload in plan.workloads:
            if reads_target_secret(workload.pod):
                workload.depends_on.append(Ref("kubectl_manifest.external_secret"))
    _outputs(plan, outputs)
    _distinct_config_map_names(plan)
    check_name_lengths(plan, job.file, job.line)
    relocate_plan(plan, spec.relocate, ctx.results.sink)  # the spec's `relocate:`
    return plan


def _distinct_config_map_names(plan: ModulePlan) -> None:
    """Group `web` task `a-b` and group `web-a` task `b` compose one name: number the later.

    Pods mount ConfigMaps through Terraform references, so renaming one breaks nothing.
    """
    taken: set[str] = set()
    for config_map in plan.config_maps:
        resolved = resolved_name(config_map.name, plan.app_name) or repr(config_map.name)
        candidate, counter = resolved, 2
        while candidate in taken:
            candidate, counter = f"{resolved}-{counter}", counter + 1
        taken.add(candidate)
        if candidate != resolved:
            config_map.name = name_with_suffix(config_map.name, candidate[len(resolved) :])


def _register_primary_image(job: Job, images: ImageVariables) -> None:
    """`image_tag` belongs to the first main task, not to a prestart or sidecar helper."""
    for group in job.groups:
        for task in group.tasks:
            if (
                task.is_main
                and isinstance(task.config.image, str)
                and "${" not in task.config.image
                and not has_unknown(task.config.image)
            ):
                ref = split_image(task.config.image)
                images.variable_for(ref.repository, ref.tag)
                return


def _ingress(
    plan: ModulePlan,
    names: GroupNames,
    group_output: GroupOutput,
    spec: ServiceSpec,
    ctx: Context,
    several: bool,
) -> None:
    assert group_output.service is not None
    with_hosts = [r for r in group_output.routers if r.hosts]
    hostless = [r for r in group_output.routers if not r.hosts]
    hosts: list[str] = []
    for router in with_hosts:
        hosts.extend(h for h in router.hosts if h not in hosts)
    if spec.hostnames and not several:
        hosts = list(spec.hostnames)
        if not with_hosts:  # the spec names the hosts the path-only routers serve
            with_hosts, hostless = hostless, []
    prefix = f"{names.tf_name}_" if several else ""
    settings = ctx.settings
    service, port = group_output.service.tf_name, group_output.http_port_name or "http"
    rules: list[IngressRule] = []
    for_each: Call | None = None
    tls_hosts: Ref | list[Ref] | Inline | None = None
    if has_unknown(hosts):  # a module input is part of a host: no default can hold it
        rules, for_each, tls_hosts = _hosts_from_inputs(hosts)
    elif len(hosts) == 1:
        variable = Variable(
            f"{prefix}hostname", "string", "Host name the Ingress serves.", hosts[0]
        )
        rules = [IngressRule(var(variable.name))]
        tls_hosts = [var(variable.name)]
        plan.variables.append(variable)
    elif hosts:
        variable = Variable(
            f"{prefix}hostnames", "list(string)", "Host names the Ingress serves.", hosts
        )
        for_each = Call("toset", (var(variable.name),))
        tls_hosts = var(variable.name)
        plan.variables.append(variable)
    plan.ingresses.append(
        Ingress(
            tf_name=names.tf_name,
            name=names.name,
            labels=LOCAL_LABELS,
            rules=rules,
            hosts_for_each=for_each,
            service_tf_name=service,
            port_name=port,
            ingress_class=settings.ingress_class,
            annotations=dict(settings.ingress_annotations),
            tls_secret_name=settings.tls_secret_name if tls_hosts else None,
            tls_hosts=tls_hosts if settings.tls_secret_name else None,
            paths=_ingress_paths(with_hosts),
            hostless_paths=_ingress_paths(hostless),
        )
    )
    _widened_paths(with_hosts, ctx)


def _hosts_from_inputs(hosts: list[str]) -> tuple[list[IngressRule], Call | None, Inline]:
    """Hosts written with a jobspec variable, as Terraform expressions over the module input."""
    if len(hosts) == 1:
        return [IngressRule(Inline(hosts[0]))], None, Inline([hosts[0]])
    return [], Call("toset", (Inline(hosts),)), Inline(hosts)


def _widened_paths(routers: list[RouterTags], ctx: Context) -> None:
    """One Ingress serves the group's routers: a router without a path opens the others' hosts."""
    narrowed = [r for r in routers if r.paths]
    if narrowed and len(narrowed) < len(routers):
        ctx.needs_decision(
            f"routers {', '.join(r.name for r in narrowed)} match paths, but another router of"
            " the group matches whole hosts: the Ingress serves every path on all their hosts",
            narrowed[0].line,
            f"router[{narrowed[0].name}]",
        )


def _ingress_paths(routers: list[RouterTags]) -> list[IngressPath]:
    """The paths routers match; a router without a path matches every path."""
    if not routers:
        return []
    if any(not r.paths for r in routers):  # said by `_widened_paths`
        return [IngressPath("/")]
    paths: list[IngressPath] = []
    for router in routers:
        for path in router.paths:
            kind = "Exact" if path in router.exact_paths else "Prefix"
            if IngressPath(path, kind) not in paths:
                paths.append(IngressPath(path, kind))
    return paths


def _outputs(plan: ModulePlan, outputs: list[tuple[GroupNames, GroupOutput]]) -> None:
    with_service = [(n, o) for n, o in outputs if o.service]
    for group_names, group_output in with_service:
        assert group_output.service is not None
        name = "service_name" if len(with_service) == 1 else f"{group_names.tf_name}_service_name"
        plan.outputs.append(
            Output(
                name,
                "Name of the Service.",
                resource_name_of("kubernetes_service", group_output.service.tf_name),
            )
        )
    for variable in plan.variables:
        if variable.name.endswith(("hostname", "hostnames")):
            plan.outputs.append(
                Output(
                    variable.name,
                    (
                        "Host names served by the Ingress."
                        if variable.name.endswith("s")
                        else "Host name served by the Ingress."
                    ),
                    var(variable.name),
                )
            )
    plan.outputs.append(Output("namespace", "Namespace the module deploys into.", NAMESPACE))


def _jobspec_inputs(ctx: Context) -> list[Variable]:
    """The jobspec's variables: required without a value (as `nomad job run -var` was)."""
    return [
        Variable(
            item.tf_name,
            item.type,
            item.description
            or (
                f'The jobspec\'s variable "{item.name}".'
                if item.has_default
                else f'The jobspec\'s variable "{item.name}" (no default: required).'
            ),
            item.default,
            has_default=item.has_default,
            sensitive=bool(CREDENTIAL_NAME.search(item.name)),
        )
        for item in ctx.jobspec_inputs
    ]

"""A module's files beyond the templates: additions, and the one-line header of every file.

- House-wide additions (settings `workload_additions`): one file per workload, rendered
  from a jinja2 template with the same escaping filters as the generator's own templates.
- Hand-written additions: `specs/<service>/*.tf`, copied into the module as they are.
- Every file starts with a header naming its source and saying where to change it. The
  paths in it are relative to the specs folder's parent (never absolute, never the working
  folder), limited to safe characters, so the header is the same wherever the tool runs
  and no file name can add a line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator.diagnostics import InputError
from generator.hcl.functions import note_file_access
from generator.k8s_plan import ModulePlan, Workload
from generator.render.hcl_format import format_hcl
from generator.render.hcl_values import Raw
from generator.render.module import _environment, render_versions
from generator.settings import Settings, WorkloadAddition, read_text

TOOL = "nomad-k8s-gen"
# What a path in a header may hold; anything else (a newline, `>`, a quote) reads `?`.
_UNSAFE = re.compile(r"[^A-Za-z0-9._/+@-]")
# A hand-written addition's name: a plain file name, so its header and manifest line are safe.
_ADDITION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.tf")
_USES_KUBECTL = re.compile(r'^\s*(resource|data)\s+"kubectl_', re.MULTILINE)

# apiVersion and kind of each workload resource type (a house template's `api_version`, `kind`).
WORKLOAD_KINDS = {
    "kubernetes_deployment": ("apps/v1", "Deployment"),
    "kubernetes_deployment_v1": ("apps/v1", "Deployment"),
    "kubernetes_stateful_set": ("apps/v1", "StatefulSet"),
    "kubernetes_stateful_set_v1": ("apps/v1", "StatefulSet"),
    "kubernetes_daemon_set_v1": ("apps/v1", "DaemonSet"),
    "kubernetes_daemonset": ("apps/v1", "DaemonSet"),
    "kubernetes_job_v1": ("batch/v1", "Job"),
    "kubernetes_job": ("batch/v1", "Job"),
    "kubernetes_cron_job_v1": ("batch/v1", "CronJob"),
    "kubernetes_cron_job": ("batch/v1", "CronJob"),
}


@dataclass(frozen=True)
class Origin:
    """Where the module's files come from, as the headers name them."""

    jobspec: str
    spec: str | None
    base: Path | None  # the specs folder's parent: header paths are relative to it

    def shown(self, path: Path | str) -> str:
        return shown_path(path, self.base)


def shown_path(path: Path | str, base: Path | None) -> str:
    """`path` relative to `base` when inside it, else its file name; safe characters only."""
    text = os.path.basename(path)
    if base is not None:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
        if not relative.startswith(".."):
            text = Path(relative).as_posix()
    return _UNSAFE.sub("?", text)


def origin_of(jobspec: str, service: str, specs_dir: Path | None) -> Origin:
    base = Path(os.path.abspath(specs_dir)).parent if specs_dir is not None else None
    spec = specs_dir / f"{service}.yaml" if specs_dir is not None else None
    shown_spec = shown_path(spec, base) if spec is not None and spec.is_file() else None
    return Origin(shown_path(jobspec, base), shown_spec, base)


@dataclass(frozen=True)
class Addition:
    """A file the module holds beside the generated ones."""

    content: str
    source: str  # the file it comes from, as an error names it
    shown: str  # where it comes from, as the README names it
    note: str  # its header
    workload: str | None = None  # the workload a house addition was rendered for


def read_additions(
    plan: ModulePlan, settings: Settings, origin: Origin, specs_dir: Path | None
) -> dict[str, Addition]:
    """Every addition: house-wide ones for each workload, then `specs/<service>/*.tf`."""
    added = house_additions(plan, settings, origin)
    if specs_dir is not None:
        added.update(_checked_hand_written(specs_dir / plan.service, added, origin))
    return added


def without_workloads(added: dict[str, Addition], deleted: frozenset[str]) -> dict[str, Addition]:
    """The additions left when the spec's overrides deleted the workloads `deleted` names."""
    return {name: a for name, a in added.items() if a.workload not in deleted}


def with_additions(
    files: dict[str, str], plan: ModulePlan, added: dict[str, Addition]
) -> dict[str, str]:
    """`files` and the additions; an addition may not take a generated file's name."""
    finished = dict(files)
    for name, addition in added.items():
        if name in finished:
            raise InputError(
                addition.source, None, "addition-collision", f"the generator writes {name} itself"
            )
        finished[name] = addition.content
    if not plan.uses_kubectl and any(_USES_KUBECTL.search(a.content) for a in added.values()):
        finished["versions.tf"] = render_versions(plan, kubectl=True)
    return finished


def with_headers(
    files: dict[str, str], origin: Origin, added: dict[str, Addition]
) -> dict[str, str]:
    """Every file with its one-line header (an addition's names where it comes from)."""
    generated = generated_note(origin)
    return {
        name: with_header(name, content, added[name].note if name in added else generated)
        for name, content in files.items()
    }


def generated_note(origin: Origin) -> str:
    if origin.spec is None:
        return (
            f"Generated by {TOOL} from jobspec {origin.jobspec};"
            " change the jobspec or the settings, not this file."
        )
    return (
        f"Generated by {TOOL} from {origin.spec} (jobspec {origin.jobspec});"
        " change the spec, not this file."
    )


def with_header(name: str, content: str, note: str) -> str:
    if name.endswith(".md"):
        return f"<!-- {note} -->\n{content}"
    return f"# {note}\n{content}"


def house_additions(plan: ModulePlan, settings: Settings, origin: Origin) -> dict[str, Addition]:
    """One file per workload and `workload_additions` entry (an empty rendering: no file)."""
    files: dict[str, Addition] = {}
    for addition in settings.workload_additions:
        path = Path(addition.template)
        template = _template(path)
        for workload in plan.workloads:
            address = f"{workload.resource_type}.{workload.tf_name}"
            text = _render(template, path, workload, plan)
            if not text.strip():
                continue
            note = (
                f'Generated by {TOOL} from the settings\' workload addition "{addition.name}"'
                f" ({origin.shown(path)}) for {address}; change the template, not this file."
            )
            shown = f"{origin.shown(path)} (settings workload_additions {addition.name}, {address})"
            files[_addition_file(addition, workload)] = Addition(
                format_hcl(text), str(path), shown, note, address
            )
    return files


def _addition_file(addition: WorkloadAddition, workload: Workload) -> str:
    return f"{addition.name}-{workload.tf_name}.tf"


def _template(path: Path) -> jinja2.Template:
    source = read_text(path)
    note_file_access(path)
    try:
        return _environment().from_string(source)
    except jinja2.TemplateSyntaxError as error:
        raise InputError(str(path), error.lineno, "invalid-template", error.message or "") from None


def _render(template: jinja2.Template, path: Path, workload: Workload, plan: ModulePlan) -> str:
    known = WORKLOAD_KINDS.get(workload.resource_type)
    if known is None:  # a resource type added to the translator but not here: a bug
        raise ValueError(f"no apiVersion/kind for {workload.resource_type}")
    api_version, kind = known
    address = f"{workload.resource_type}.{workload.tf_name}"
    try:
        return template.render(
            resource_type=workload.resource_type,
            tf_name=workload.tf_name,
            address=address,
            api_version=api_version,
            kind=kind,
            name=Raw(f"{address}.metadata[0].name"),
            service=plan.service,
        )
    except (jinja2.TemplateError, ValueError, TypeError) as error:
        line = getattr(error, "lineno", None)
        reason = " ".join(str(error).split()) or type(error).__name__
        raise InputError(str(path), line, "invalid-template", reason) from None


def hand_written(folder: Path, origin: Origin) -> dict[str, Addition]:
    """`folder/*.tf` (the spec's additions): the user's text, copied as it is."""
    if not folder.is_dir():
        return {}
    files: dict[str, Addition] = {}
    for path in sorted(folder.glob("*.tf")):
        if not _ADDITION_NAME.fullmatch(path.name):
            raise InputError(
                str(path), None, "invalid-addition", "file name of letters, digits, '.', '-', '_'"
            )
        note_file_access(path)
        text = read_text(path)  # bounded: UTF-8 or UTF-16 with its BOM, at most 1 MiB
        shown = origin.shown(path)
        note = f"Copied by {TOOL} from {shown}; change that file, not this one."
        files[path.name] = Addition(text, str(path), shown, note)
    return files


def _checked_hand_written(
    folder: Path, house: dict[str, Addition], origin: Origin
) -> dict[str, Addition]:
    files = hand_written(folder, origin)
    for name, addition in files.items():
        if name in house:
            raise InputError(
                addition.source,
                None,
                "addition-collision",
                f"the settings' workload additions write {name} too",
            )
    return files

"""The external Traefik's snippet: canonical options, TLS, router names, path-rewriting."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from generator.cli import main
from generator.pipeline import Generation, generate
from generator.service_spec import ServiceSpec
from generator.settings import ExternalTraefik, Settings
from generator.translate.traefik_options import (
    PATH_REWRITING,
    convert,
    convert_middleware,
    middleware_types,
    router_schema,
    schema,
)
from tests.shared_access import REPO, shared_path


def hcl_string(text: str) -> str:
    """`text` as an HCL string literal that evaluates to exactly `text`."""
    return json.dumps(text).replace("${", "$${").replace("%{", "%%{")


def jobspec_text(tags: list[str], task_tags: list[str] | None = None, meta: str = "") -> str:
    task_service = ""
    if task_tags is not None:
        task_service = (
            '      service {\n        name = "web-task"\n        port = "http"\n'
            f"        tags = [{', '.join(hcl_string(t) for t in task_tags)}]\n      }}\n"
        )
    return (
        f'job "web" {{\n{meta}  group "web" {{\n    network {{\n      port "http" {{ to = 80 }}\n'
        f'    }}\n    service {{\n      name = "web"\n      port = "http"\n'
        f"      tags = [{', '.join(hcl_string(t) for t in tags)}]\n    }}\n"
        '    task "web" {\n      driver = "docker"\n      config {\n        image = "nginx:1"\n'
        f"      }}\n{task_service}    }}\n  }}\n}}\n"
    )


def run(tmp_path: Path, tags: list[str], **kwargs: object) -> Generation:
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(jobspec_text(tags, **kwargs))  # type: ignore[arg-type]
    return generate("web", jobspec, Settings(), ServiceSpec())


def snippet(generation: Generation) -> dict:
    text = generation.files.get("traefik-routers.yml")
    return yaml.safe_load(text) if text else {}


def findings(generation: Generation) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in generation.diagnostics if d.code == "needs-decision"]


def assert_valid_file_provider_config(document: dict) -> None:
    errors = sorted(Draft7Validator(schema()).iter_errors(document), key=str)
    assert not errors, [e.message for e in errors]


HOST = "traefik.http.routers.web.rule=Host(`web.example.org`)"


# --- canonical names and types, read from Traefik's schema ---------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {"stripprefix.prefixes": "/a, /b", "stripprefix.forceslash": "false"},
            {"stripPrefix": {"prefixes": ["/a", "/b"], "forceSlash": False}},
        ),
        ({"basicauth.users": "u:h1,v:h2"}, {"basicAuth": {"users": ["u:h1", "v:h2"]}}),
        (
            {
                "forwardauth.address": "https://auth.example.org/verify",
                "forwardauth.authresponseheaders": "Remote-User,Remote-Email",
                "forwardauth.trustForwardHeader": "true",
            },
            {
                "forwardAuth": {
                    "address": "https://auth.example.org/verify",
                    "authResponseHeaders": ["Remote-User", "Remote-Email"],
                    "trustForwardHeader": True,
                }
            },
        ),
        (
            {
                "headers.stsseconds": "31536000",
                "headers.customrequestheaders.X-Forwarded-Proto": "https",
                "headers.accesscontrolallowmethods": "GET,POST",
            },
            {
                "headers": {
                    "stsSeconds": 31536000,
                    "customRequestHeaders": {"X-Forwarded-Proto": "https"},
                    "accessControlAllowMethods": ["GET", "POST"],
                }
            },
        ),
        (
            {"ratelimit.average": "100", "ratelimit.burst": "50", "ratelimit.period": "1m"},
            {"rateLimit": {"average": 100, "burst": 50, "period": "1m"}},
        ),
        (
            {"ipallowlist.sourcerange": "10.0.0.0/8", "ipallowlist.ipstrategy.depth": "1"},
            {"ipAllowList": {"sourceRange": ["10.0.0.0/8"], "ipStrategy": {"depth": 1}}},
        ),
        ({"compress": "true"}, {"compress": {}}),
        ({"plugin.geo.allowLocal": "true"}, {"plugin": {"geo": {"allowLocal": "true"}}}),
    ],
)
def test_options_take_the_schemas_names_and_types(options: dict, expected: dict) -> None:
    converted = convert_middleware(options)
    assert (converted.config, converted.problems) == (expected, [])
    assert_valid_file_provider_config({"http": {"middlewares": {"m": expected}}})


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"headers.framedeny": "yes"}, "'yes' is not a boolean"),
        ({"retry.attempts": "three"}, "'three' is not an integer"),
        ({"stripprefix.prefix": "/a"}, "'prefix' is not a Traefik v3 option here"),
        ({"nosuch.x": "1"}, "'nosuch' is not a Traefik v3 option here"),
        ({"headers": "x"}, "it is a section"),
        ({"retry.initialinterval": "1s"}, "option 'attempts' is required"),
        ({"chain.middlewares": " "}, "at least 1 entry is required"),
        ({"ratelimit.average.x": "1"}, "'average' has no sub-options"),
        (
            {"stripprefix.prefixes": "/a", "headers.framedeny": "true"},
            "several middleware types (stripPrefix, headers)",
        ),
    ],
)
def test_options_traefik_would_not_read_are_problems(options: dict, problem: str) -> None:
    assert any(problem in p for p in convert_middleware(options).problems)


def test_every_middleware_type_of_the_schema_is_known() -> None:
    lower = {name.lower(): name for name in middleware_types()}
    assert lower["stripprefix"] == "stripPrefix" and lower["forwardauth"] == "forwardAuth"
    assert set(middleware_types()) >= PATH_REWRITING


@pytest.mark.shared
def test_the_packaged_schema_is_the_shared_one() -> None:
    path = shared_path("schemas", "traefik", "traefik-v3-file-provider.json")
    assert json.loads(path.read_text()) == schema()


def test_unknown_or_mistyped_middleware_options_are_reported_and_not_carried(
    tmp_path: Path,
) -> None:
    generation = run(
        tmp_path,
        [
            HOST,
            "traefik.http.routers.web.middlewares=hdr",
            "traefik.http.middlewares.hdr.headers.framedeny=maybe",
            "traefik.http.middlewares.hdr.headers.stsseconds=60",
        ],
    )
    document = snippet(generation)
    assert document["http"]["middlewares"] == {"k8s-hdr": {"headers": {"stsSeconds": 60}}}
    assert findings(generation) == [
        (
            "needs-decision",
            "Traefik middleware 'hdr': option 'headers.framedeny': 'maybe' is not a boolean;"
            " not carried",
        )
    ]


def test_a_middleware_that_cannot_be_carried_keeps_its_reference(tmp_path: Path) -> None:
    """The edge refuses the router rather than serving it without its authentication."""
    generation = run(
        tmp_path,
        [
            HOST,
            "traefik.http.routers.web.middlewares=auth",
            "traefik.http.middlewares.auth.basicauth.userz=u:h",
        ],
    )
    document = snippet(generation)
    assert document["http"]["routers"]["k8s-web"]["middlewares"] == ["k8s-auth@file"]
    assert "middlewares" not in document["http"]
    assert findings(generation)


def test_a_middleware_another_job_defines_keeps_its_catalog_provider(tmp_path: Path) -> None:
    """Bare, the file provider would look for it in the snippet's own file and refuse it."""
    generation = run(
        tmp_path,
        [HOST, "traefik.http.routers.web.middlewares=authelia,sso@consulcatalog,h@docker"],
    )
    document = snippet(generation)
    assert document["http"]["routers"]["k8s-web"]["middlewares"] == [
        "authelia@consulcatalog",
        "sso@consulcatalog",
        "h@docker",
    ]
    reported = [message for _, message in findings(generation) if "outside this job" in message]
    assert len(reported) == 2


# --- TLS ------------------------------------------------------------------------------------


def test_router_tls_options_are_carried(tmp_path: Path) -> None:
    generation = run(
        tmp_path,
        [
            HOST,
            "traefik.http.routers.web.tls=true",
            "traefik.http.routers.web.tls.certresolver=letsencrypt",
            "traefik.http.routers.web.tls.options=modern@file",
            "traefik.http.routers.web.tls.domains[0].main=example.org",
            "traefik.http.routers.web.tls.domains[0].sans=*.example.org,www.example.org",
            "traefik.http.routers.api.rule=Host(`api.example.org`)",
            "traefik.http.routers.api.tls=true",
        ],
    )
    routers = snippet(generation)["http"]["routers"]
    assert routers["k8s-web"]["tls"] == {
        "certResolver": "letsencrypt",
        "options": "modern@file",
        "domains": [{"main": "example.org", "sans": ["*.example.org", "www.example.org"]}],
    }
    assert routers["k8s-api"]["tls"] == {}
    assert findings(generation) == []
    assert_valid_file_provider_config(snippet(generation))


def test_router_options_traefik_does_not_know_are_reported(tmp_path: Path) -> None:
    generation = run(tmp_path, [HOST, "traefik.http.routers.web.tls.certresolvr=le"])
    assert "tls" not in snippet(generation)["http"]["routers"]["k8s-web"]
    assert any("'certresolvr'" in m for _, m in findings(generation))


def test_option_names_of_routers_match_case_insensitively(tmp_path: Path) -> None:
    generation = run(tmp_path, [HOST, "traefik.http.routers.web.entryPoints=internal"])
    assert snippet(generation)["http"]["routers"]["k8s-web"]["entryPoints"] == ["internal"]


# --- router names -----------------------------------------------------------------------------


def test_router_names_are_interpolated_as_nomad_registers_the_service(tmp_path: Path) -> None:
    generation = run(
        tmp_path,
        ["traefik.http.routers.${NOMAD_JOB_NAME}.rule=Host(`${NOMAD_META_domain}`)"],
        task_tags=[
            "traefik.http.routers.${NOMAD_TASK_NAME}-${NOMAD_GROUP_NAME}.rule="
            "Host(`task.example.org`)"
        ],
        meta='  meta {\n    domain = "web.example.org"\n  }\n',
    )
    routers = snippet(generation)["http"]["routers"]
    assert routers["k8s-web"]["rule"] == "Host(`web.example.org`)"
    assert routers["k8s-web-web"]["rule"] == "Host(`task.example.org`)"
    assert (
        'default     = ["web.example.org", "task.example.org"]' in generation.files["variables.tf"]
    )


def test_a_group_service_cannot_read_the_task_name(tmp_path: Path) -> None:
    """Nomad interpolates a group's services without a task: the name stays unresolved."""
    generation = run(
        tmp_path, ["traefik.http.routers.${NOMAD_TASK_NAME}.rule=Host(`web.example.org`)"]
    )
    assert "traefik-routers.yml" not in generation.files
    assert findings(generation) == [
        (
            "needs-decision",
            "Traefik router '${NOMAD_TASK_NAME}': it reads a Nomad runtime value this module"
            " cannot know; not written to the snippet",
        )
    ]


def test_routers_whose_names_meet_get_distinct_keys(tmp_path: Path) -> None:
    generation = run(
        tmp_path,
        ["traefik.http.routers.${NOMAD_JOB_NAME}.rule=Host(`a.example.org`)"],
        task_tags=["traefik.http.routers.web.rule=Host(`b.example.org`)"],
    )
    text = generation.files["traefik-routers.yml"]
    routers = snippet(generation)["http"]["routers"]
    assert list(routers) == ["k8s-web", "k8s-web-2"]
    assert text.count("k8s-web:") == 1
    assert any("declared twice" in m for _, m in findings(generation))


def test_one_router_declared_alike_by_two_services_is_written_once(tmp_path: Path) -> None:
    generation = run(tmp_path, [HOST], task_tags=[HOST])
    assert list(snippet(generation)["http"]["routers"]) == ["k8s-web"]
    assert not any("declared twice" in m for _, m in findings(generation))


@pytest.mark.parametrize("evil_host", ["evil.org", "localhost"])
def test_yaml_injection_through_a_router_name_adds_no_router(
    tmp_path: Path, evil_host: str
) -> None:
    hostile = (
        f"traefik.http.routers.a: {{}}\n    evil:\n      rule: Host(`{evil_host}`)\n"
        '      service: "api@internal"\n    b.rule=Host(`web.example.org`)'
    )
    generation = run(tmp_path, [hostile, HOST])
    assert list(snippet(generation)["http"]["routers"]) == ["k8s-web"]
    assert findings(generation)


@pytest.mark.parametrize("prefix", ["x: y #", "a\nb", "k8s.", "x@"])
def test_a_router_prefix_that_is_not_a_name_part_is_a_settings_error(
    tmp_path: Path, prefix: str
) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump({"external_traefik": {"router_prefix": prefix}}))
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(jobspec_text([HOST]))
    result = CliRunner().invoke(
        main,
        ["web", "--jobspec", str(jobspec), "--settings", str(path), "--out", str(tmp_path)],
    )
    assert result.exit_code == 2
    assert "router_prefix" in result.output and "\n" not in result.output.strip()
    assert not (tmp_path / "web").exists()


# --- path-rewriting middlewares run in the cluster --------------------------------------------


def test_path_rewriting_middlewares_move_to_the_ingress(tmp_path: Path) -> None:
    generation = run(
        tmp_path,
        [
            "traefik.http.routers.web.rule=Host(`web.example.org`) && PathPrefix(`/app`)",
            "traefik.http.routers.web.middlewares=strip,hdr",
            "traefik.http.middlewares.strip.stripprefix.prefixes=/app",
            "traefik.http.middlewares.hdr.headers.framedeny=true",
        ],
    )
    document = snippet(generation)
    assert document["http"]["routers"]["k8s-web"]["middlewares"] == ["k8s-hdr@file"]
    assert list(document["http"]["middlewares"]) == ["k8s-hdr"]
    main_tf = generation.files["main.tf"]
    assert (
        '"traefik.ingress.kubernetes.io/router.middlewares" ='
        ' "${var.namespace}-${local.app_name}-strip@kubernetescrd"'
    ) in main_tf
    assert 'resource "kubectl_manifest" "middleware_strip"' in main_tf
    assert re.search(r'kind\s+= "Middleware"', main_tf)
    assert re.search(r'name\s+= "\$\{local.app_name\}-strip"', main_tf)
    assert 'prefixes = ["/app"]' in main_tf
    assert "alekc/kubectl" in generation.files["versions.tf"]
    assert any(
        d.code == "moved-to-cluster" and "rewrites the path" in d.message
        for d in generation.diagnostics
    )
    assert findings(generation) == []


@pytest.mark.shared
@pytest.mark.parametrize("kind", sorted(PATH_REWRITING))
def test_moved_middlewares_fit_traefiks_middleware_resource(kind: str) -> None:
    crd = json.loads(
        shared_path("schemas", "crds", "traefik.io_middleware_v1alpha1.json").read_text()
    )
    options = {
        "addPrefix": {"addprefix.prefix": "/x"},
        "replacePath": {"replacepath.path": "/x"},
        "replacePathRegex": {
            "replacepathregex.regex": "^/a/(.*)",
            "replacepathregex.replacement": "/$1",
        },
        "stripPrefix": {"stripprefix.prefixes": "/a,/b"},
        "stripPrefixRegex": {"stripprefixregex.regex": "/[a-z]+"},
    }[kind]
    spec = convert_middleware(options).config
    manifest = {
        "apiVersion": "traefik.io/v1alpha1",
        "kind": "Middleware",
        "metadata": {"name": "x", "namespace": "default"},
        "spec": spec,
    }
    assert not list(Draft7Validator(crd).iter_errors(manifest))


@pytest.mark.parametrize(
    ("other_rule", "reported"),
    [
        ("Host(`web.example.org`) && PathPrefix(`/b`)", False),  # /app never starts its paths
        ("Host(`web.example.org`) && PathPrefix(`/ap`)", True),
        ("Host(`web.example.org`)", True),
    ],
)
def test_a_router_the_ingress_middleware_would_change_is_reported(
    tmp_path: Path, other_rule: str, reported: bool
) -> None:
    generation = run(
        tmp_path,
        [
            "traefik.http.routers.web.rule=Host(`web.example.org`) && PathPrefix(`/app`)",
            "traefik.http.routers.web.middlewares=strip",
            f"traefik.http.routers.other.rule={other_rule}",
            "traefik.http.middlewares.strip.stripprefix.prefixes=/app",
        ],
    )
    messages = [m for _, m in findings(generation) if "does not use strip" in m]
    assert bool(messages) is reported


def test_a_chain_holding_a_moved_middleware_is_reported(tmp_path: Path) -> None:
    generation = run(
        tmp_path,
        [
            HOST,
            "traefik.http.routers.web.middlewares=all",
            "traefik.http.middlewares.all.chain.middlewares=strip",
            "traefik.http.middlewares.strip.stripprefix.prefixes=/app",
        ],
    )
    assert any("chain 'all' includes path-rewriting" in m for _, m in findings(generation))


# --- forwardAuth --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reported"),
    [
        ("http://authelia.service.consul:9091/api/verify", True),
        ("http://authelia:9091/api/verify", True),
        ("https://auth.example.org/verify", False),
    ],
)
def test_forward_auth_to_a_consul_service_needs_a_decision(
    tmp_path: Path, address: str, reported: bool
) -> None:
    generation = run(
        tmp_path,
        [
            HOST,
            "traefik.http.routers.web.middlewares=auth",
            f"traefik.http.middlewares.auth.forwardauth.address={address}",
        ],
    )
    assert any("names a Consul service" in m for _, m in findings(generation)) is reported


def test_an_errors_middleware_names_a_service_the_edge_must_know(tmp_path: Path) -> None:
    generation = run(
        tmp_path,
        [
            HOST,
            "traefik.http.routers.web.middlewares=oops",
            "traefik.http.middlewares.oops.errors.status=500-599",
            "traefik.http.middlewares.oops.errors.service=error-pages",
            "traefik.http.middlewares.oops.errors.query=/{status}.html",
        ],
    )
    assert snippet(generation)["http"]["middlewares"]["k8s-oops"]["errors"]["status"] == ["500-599"]
    assert any("Traefik service 'error-pages'" in m for _, m in findings(generation))


# --- hostile input ------------------------------------------------------------------------------

HOSTILE = st.text(
    alphabet=st.sampled_from([*"ab-_:#{}[]\"'\n\t |>&*!%@`,=.\\ü", "\u2028", "\x85"]),
    min_size=1,
    max_size=12,
)
VALID_NAME = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(st.one_of(VALID_NAME, HOSTILE), min_size=1, max_size=4, unique=True),
    option_values=st.lists(HOSTILE, min_size=3, max_size=3),
    middleware=st.one_of(VALID_NAME, HOSTILE),
    option=st.sampled_from(
        ["headers.customrequestheaders.X-A", "redirectregex.regex", "basicauth.users", "retry"]
    ),
    prefix=st.one_of(st.just("k8s-"), HOSTILE),
)
def test_hostile_names_and_values_never_add_or_break_routers(
    tmp_path: Path,
    names: list[str],
    option_values: list[str],
    middleware: str,
    option: str,
    prefix: str,
) -> None:
    names = [n for n in names if "." not in n and "=" not in n]  # those split the label key
    tags = [f"traefik.http.routers.{n}.rule=Host(`web.example.org`)" for n in names]
    tags += [f"traefik.http.routers.{n}.middlewares={middleware}" for n in names]
    tags += [f"traefik.http.routers.{n}.entrypoints={option_values[0]}" for n in names]
    tags.append(f"traefik.http.middlewares.{middleware}.{option}={option_values[1]}")
    tags.append(f"traefik.http.routers.{names[0] if names else 'x'}.tls.options={option_values[2]}")
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(jobspec_text(tags))
    settings_file = tmp_path / "settings.yaml"
    settings_file.write_text(yaml.safe_dump({"external_traefik": {"router_prefix": prefix}}))
    out = tmp_path / "out"
    shutil.rmtree(out, ignore_errors=True)  # tmp_path is shared by the examples
    result = CliRunner().invoke(
        main,
        ["web", "--jobspec", str(jobspec), "--settings", str(settings_file), "--out", str(out)],
    )
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    if result.exit_code == 2:  # the prefix, or a jobspec HCL does not read
        assert len(result.output.strip().splitlines()) == 1
        assert not out.exists()
        return
    valid = [n for n in names if re.fullmatch(r"[A-Za-z0-9_-]+", n)]
    routers_file = out / "web" / "traefik-routers.yml"
    if not valid:
        assert not routers_file.exists()
        return
    document = yaml.safe_load(routers_file.read_text())
    assert list(document["http"]["routers"]) == [prefix + n for n in valid]
    for router in document["http"]["routers"].values():
        assert router["service"] == ExternalTraefik().service
    assert_valid_file_provider_config(document)


def test_router_schema_covers_tls() -> None:
    assert convert({"tls.certresolver": "le"}, router_schema()).config == {
        "tls": {"certResolver": "le"}
    }


def test_middlewares_are_shared_by_the_jobs_groups(tmp_path: Path) -> None:
    """Traefik's catalog knows one set of middlewares: group a may use what group b defines."""

    def group(name: str, tags: list[str]) -> str:
        return (
            f'  group "{name}" {{\n    network {{\n      port "http" {{ to = 80 }}\n    }}\n'
            f'    service {{\n      name = "{name}"\n      port = "http"\n'
            f"      tags = [{', '.join(hcl_string(t) for t in tags)}]\n    }}\n"
            f'    task "{name}" {{\n      driver = "docker"\n      config {{\n'
            '        image = "nginx:1"\n      }\n    }\n  }\n'
        )

    a = group(
        "a",
        [
            "traefik.http.routers.a.rule=Host(`a.example.org`) && PathPrefix(`/a`)",
            "traefik.http.routers.a.middlewares=strip,hdr",
        ],
    )
    b = group(
        "b",
        [
            "traefik.http.routers.b.rule=Host(`b.example.org`)",
            "traefik.http.middlewares.strip.stripprefix.prefixes=/a",
            "traefik.http.middlewares.hdr.headers.framedeny=true",
        ],
    )
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(f'job "web" {{\n{a}{b}}}\n')
    generation = generate("web", jobspec, Settings(), ServiceSpec())
    routers = snippet(generation)["http"]["routers"]
    assert routers["k8s-a"]["middlewares"] == ["k8s-hdr@file"]
    main_tf = generation.files["main.tf"]
    assert '"${var.namespace}-${local.app_name}-b-strip@kubernetescrd"' in main_tf
    assert main_tf.count('"traefik.ingress.kubernetes.io/router.middlewares"') == 1


def test_house_middlewares_of_the_ingress_stay_first(tmp_path: Path) -> None:
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(
        jobspec_text(
            [
                "traefik.http.routers.web.rule=Host(`web.example.org`) && PathPrefix(`/app`)",
                "traefik.http.routers.web.middlewares=strip",
                "traefik.http.middlewares.strip.stripprefix.prefixes=/app",
            ]
        )
    )
    annotations = {
        "traefik.ingress.kubernetes.io/router.middlewares": "kube-system-geo@kubernetescrd"
    }
    generation = generate("web", jobspec, Settings(ingress_annotations=annotations), ServiceSpec())
    assert (
        '"kube-system-geo@kubernetescrd,${var.namespace}-${local.app_name}-strip@kubernetescrd"'
        in generation.files["main.tf"]
    )


class _RefusingDuplicates(yaml.SafeLoader):
    """Traefik refuses a file with a key given twice, and every router in it."""


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    keys = [loader.construct_object(key) for key, _ in node.value]
    assert len(keys) == len(set(keys)), f"duplicate key in {keys}"
    return yaml.SafeLoader.construct_mapping(loader, node)


_RefusingDuplicates.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


@pytest.mark.parametrize(
    "path",
    sorted((REPO / "modules-k8s").glob("*/traefik-routers.yml")),
    ids=lambda p: p.parent.name,
)
def test_golden_snippets_load_and_fit_the_file_provider_schema(path: Path) -> None:
    document = yaml.load(path.read_text(), Loader=_RefusingDuplicates)
    assert_valid_file_provider_config(document)


def _option_names() -> list[str]:
    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.get("properties", {}).items():
                names.add(key.lower())
                walk(value)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema()["definitions"])
    return sorted(names)


PATH_PART = st.one_of(st.sampled_from(_option_names()), st.sampled_from(["x", "X-Hdr", "a[0]"]))


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from([t.lower() for t in middleware_types()]),
    options=st.lists(
        st.tuples(
            st.lists(PATH_PART, min_size=0, max_size=3),
            st.one_of(st.sampled_from(["true", "0", "12", "1.5", "a,b", ""]), HOSTILE),
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_whatever_the_labels_say_the_carried_middleware_fits_the_schema(
    kind: str, options: list[tuple[list[str], str]]
) -> None:
    labels = {".".join([kind, *parts]): value for parts, value in options}
    converted = convert_middleware(labels)
    if len(converted.config) == 1:
        assert_valid_file_provider_config({"http": {"middlewares": {"m": converted.config}}})


def test_a_host_nomad_leaves_uninterpolated_is_a_problem_not_a_host(tmp_path: Path) -> None:
    generation = run(
        tmp_path, ["traefik.http.routers.web.rule=Host(`${attr.unique.hostname}.example.org`)"]
    )
    assert "kubernetes_ingress_v1" not in generation.files["main.tf"]
    assert any("reads a Nomad runtime value" in m for _, m in findings(generation))

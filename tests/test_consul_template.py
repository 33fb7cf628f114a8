"""consul-template analysis: one test per construct, env files, ESO templates, properties."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.consul_template import (
    ConsulKey,
    EnvQuoting,
    EnvValue,
    EnvValueKind,
    EsoTemplateError,
    Field,
    Literal,
    NomadVarAllKeys,
    NomadVarValue,
    SecretAllKeys,
    SecretLeaf,
    SecretRef,
    SecretValue,
    Segment,
    ServiceAddress,
    ServiceInstances,
    ServiceQuery,
    TemplateAnalysis,
    Unknown,
    analyze_template,
    assign_data_keys,
    env_lines,
    escape_template_text,
    parse_service_query,
    secret_data_key,
    secret_ref,
    to_eso_template,
)


def segments(text: str, left: str = "{{", right: str = "}}") -> tuple:
    return analyze_template(text, left, right).segments


def only_problem(text: str) -> Unknown:
    analysis = analyze_template(text)
    assert len(analysis.problems) == 1, analysis
    return analysis.problems[0]


# --- Vault secrets -----------------------------------------------------------


def test_static_text_is_one_literal() -> None:
    analysis = analyze_template("listen 80;\nserver_name _;\n")
    assert analysis.segments == (Literal("listen 80;\nserver_name _;\n"),)
    assert analysis.is_static and analysis.understood and not analysis.has_secrets
    assert analysis.static_text == "listen 80;\nserver_name _;\n"


def test_with_secret_kv2_value() -> None:
    text = '{{ with secret "kv/data/app" }}\nPASSWORD={{ .Data.data.db_password }}\n{{ end }}\n'
    analysis = analyze_template(text)
    assert analysis.segments == (
        Literal("\nPASSWORD="),
        SecretValue("kv/data/app", "db_password", 2, line=2),
        Literal("\n\n"),
    )
    assert analysis.understood and analysis.has_secrets and not analysis.is_static
    assert analysis.static_text is None


def test_with_secret_kv1_value() -> None:
    text = '{{ with secret "secret/app" }}{{ .Data.password }}{{ end }}'
    assert segments(text) == (SecretValue("secret/app", "password", 1, line=1),)


def test_inline_secret_value() -> None:
    text = 'token = "{{ (secret "kv/data/ci").Data.data.token }}"'
    assert segments(text) == (
        Literal('token = "'),
        SecretValue("kv/data/ci", "token", 2, line=1),
        Literal('"'),
    )


def test_with_on_secret_data_map() -> None:
    text = '{{ with (secret "kv/data/db").Data.data }}{{ .user }}:{{ .pass }}{{ end }}'
    assert segments(text) == (
        SecretValue("kv/data/db", "user", 2, line=1),
        Literal(":"),
        SecretValue("kv/data/db", "pass", 2, line=1),
    )


def test_index_on_secret_and_nomad_var_data() -> None:
    text = (
        '{{ with secret "kv/data/a" }}{{ index .Data.data "db-password" }}{{ end }}'
        '{{ index (nomadVar "nomad/jobs/a") "Keys" }}'
    )
    assert segments(text) == (
        SecretValue("kv/data/a", "db-password", 2, 1),
        NomadVarValue("nomad/jobs/a", "Keys", 1),
    )


def test_with_declaring_a_variable() -> None:
    text = '{{ with $s := secret "kv/data/x" }}{{ $s.Data.data.k }}{{ end }}'
    assert segments(text) == (SecretValue("kv/data/x", "k", 2, line=1),)


def test_whole_secret_dump_is_all_keys() -> None:
    text = (
        '{{ with secret "kv/data/app" }}'
        "{{ range $k, $v := .Data.data }}{{ $k }}={{ $v }}\n{{ end }}"
        "{{ end }}"
    )
    assert segments(text) == (
        SecretAllKeys("kv/data/app", 2, (Field("key"), "=", Field("value"), "\n"), line=1),
    )


def test_whole_secret_dump_kv1_and_dot_value() -> None:
    text = (
        '{{ with secret "secret/app" }}'
        "{{ range $k, $_ := .Data }}{{ $k }}: {{ . }};{{ end }}"
        "{{ end }}"
    )
    assert segments(text) == (
        SecretAllKeys("secret/app", 1, (Field("key"), ": ", Field("value"), ";"), line=1),
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{{ with secret "kv/data/a" }}{{ .Data.data.k | toJSON }}{{ end }}', "`toJSON`"),
        (
            '{{ with secret "kv/data/a" }}{{ .Data.data.k | base64Decode }}{{ end }}',
            "`base64Decode`",
        ),
        ('{{ with secret "kv/data/a" }}{{ toUpper .Data.data.k }}{{ end }}', "`toUpper`"),
        ('{{ with secret "kv/data/a" }}{{ .Data.metadata.version }}{{ end }}', ".Data.metadata"),
        ('{{ with secret "kv/data/a" }}{{ .Data.data }}{{ end }}', "not a single key"),
        (
            '{{ with secret "pki/issue/x" "common_name=a.b" }}{{ .Data.certificate }}{{ end }}',
            "write",
        ),
        ('{{ with secret (printf "kv/%s" "a") }}{{ .Data.k }}{{ end }}', "string literals"),
        ('{{ with secret "kv/a" }}{{ .Data.k }}{{ else }}none{{ end }}', "`with … else`"),
    ],
)
def test_secret_forms_that_are_reported(text: str, reason: str) -> None:
    problem = only_problem(text)
    assert reason in problem.reason
    assert problem.line == 1


# --- Nomad variables ---------------------------------------------------------


def test_with_nomad_var_items() -> None:
    text = '{{ with nomadVar "nomad/jobs/app" }}{{ .user }}/{{ .password.Value }}{{ end }}'
    assert segments(text) == (
        NomadVarValue("nomad/jobs/app", "user", 1),
        Literal("/"),
        NomadVarValue("nomad/jobs/app", "password", 1),
    )


def test_inline_nomad_var_item() -> None:
    assert segments('{{ (nomadVar "nomad/jobs/app").token }}') == (
        NomadVarValue("nomad/jobs/app", "token", 1),
    )


def test_nomad_var_tuples_and_map_range_are_all_keys() -> None:
    tuples = (
        '{{ with nomadVar "nomad/jobs/a" }}{{ range .Tuples }}{{ .K }}={{ .V }}\n{{ end }}{{ end }}'
    )
    ranged = (
        '{{ with nomadVar "nomad/jobs/a" }}'
        "{{ range $k, $v := . }}{{ $k }}={{ $v.Value }}\n{{ end }}"
        "{{ end }}"
    )
    expected = (NomadVarAllKeys("nomad/jobs/a", (Field("key"), "=", Field("value"), "\n"), 1),)
    assert segments(tuples) == expected
    assert segments(ranged) == expected


def test_nomad_var_list_is_unknown() -> None:
    problem = only_problem('{{ range nomadVarList "nomad/jobs" }}{{ .Path }}\n{{ end }}')
    assert "`nomadVarList`" in problem.reason


def test_nomad_var_items_methods_are_not_keys() -> None:
    problem = only_problem('{{ with nomadVar "nomad/jobs/a" }}{{ .Keys }}{{ end }}')
    assert ".Keys" in problem.reason


# --- Consul keys, env, services ----------------------------------------------


def test_consul_keys() -> None:
    assert segments('{{ key "app/max" }} {{ keyOrDefault "app/min" "5" }}') == (
        ConsulKey("app/max", None, 1),
        Literal(" "),
        ConsulKey("app/min", "5", 1),
    )


def test_env_value() -> None:
    assert segments('port: {{ env "NOMAD_PORT_http" }}') == (
        Literal("port: "),
        EnvValue("NOMAD_PORT_http", 1),
    )


def test_range_service_address_and_port() -> None:
    text = (
        "upstream db {\n"
        '{{ range service "postgres" }}  server {{ .Address }}:{{ .Port }};\n{{ end }}'
        "}\n"
    )
    assert segments(text) == (
        Literal("upstream db {\n"),
        ServiceAddress(
            ServiceQuery("postgres"),
            ("  server ", Field("Address"), ":", Field("Port"), ";\n"),
            line=2,
        ),
        Literal("}\n"),
    )


def test_range_service_with_declared_element() -> None:
    text = '{{ range $i, $s := service "redis" }}{{ $s.Address }},{{ end }}'
    (segment,) = segments(text)
    assert segment.rendered == (Field("Address"), ",")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("web", ServiceQuery("web")),
        ("primary.db", ServiceQuery("db", tag="primary")),
        ("a.b.db", ServiceQuery("db", tag="a.b")),
        ("web|passing", ServiceQuery("web", health_filter="passing")),
        ("v1.web@dc2~_agent|passing,warning", ServiceQuery("web", "v1", "dc2", "passing,warning")),
        ("web?ns=prod", None),
        ("we b", None),
    ],
)
def test_service_query_parsing(query: str, expected: ServiceQuery | None) -> None:
    assert parse_service_query(query) == expected


def test_service_health_filter_as_second_argument() -> None:
    (segment,) = segments('{{ range service "web" "passing" }}{{ .Address }}{{ end }}')
    assert segment.query == ServiceQuery("web", health_filter="passing")


def test_nomad_service() -> None:
    (segment,) = segments('{{ range nomadService "api" }}{{ .Address }}:{{ .Port }}{{ end }}')
    assert segment.query == ServiceQuery("api", catalog="nomad")


def test_with_service_first_instance() -> None:
    text = '{{ with service "db" }}{{ (index . 0).Address }}:{{ (index . 0).Port }}{{ end }}'
    first = ServiceInstances.FIRST
    assert segments(text) == (
        ServiceAddress(ServiceQuery("db"), (Field("Address"),), 1, first),
        Literal(":"),
        ServiceAddress(ServiceQuery("db"), (Field("Port"),), 1, first),
    )
    indexed = '{{ with index (service "db") 0 }}{{ .Address }}{{ end }}'
    assert segments(indexed) == (ServiceAddress(ServiceQuery("db"), (Field("Address"),), 1, first),)


def test_range_service_with_condition_is_unknown() -> None:
    text = '{{ range $i, $s := service "c" }}{{ if ne $i 0 }},{{ end }}{{ .Address }}{{ end }}'
    assert "inside `range`" in only_problem(text).reason


# --- syntax: trimming, delimiters, comments, strings ---------------------------


def test_trim_markers_remove_adjacent_whitespace_and_newlines() -> None:
    text = 'a  \n\t{{- env "X" -}}  \n\n  b\n{{ env "Y" -}}\n c'
    assert segments(text) == (
        Literal("a"),
        EnvValue("X", 2),
        Literal("b\n"),
        EnvValue("Y", 5),
        Literal("c"),
    )


def test_minus_without_space_is_not_a_trim_marker() -> None:
    problem = only_problem("a {{-3}} b")
    assert "number" in problem.reason
    assert segments("a {{-3}} b")[0] == Literal("a ")


def test_comments_are_dropped_and_may_trim() -> None:
    assert segments("a {{/* note with }} inside */}} b") == (Literal("a  b"),)
    assert analyze_template("a \n{{- /* note */ -}}\n b").static_text == "ab"


def test_comment_not_closed_at_delimiter_is_a_syntax_error() -> None:
    assert "comment" in only_problem("{{/* c */ x }}").reason


def test_custom_delimiters() -> None:
    text = 'x={{ not an action }} [[ with secret "kv/data/a" ]][[ .Data.data.k ]][[ end ]]'
    assert segments(text, "[[", "]]") == (
        Literal("x={{ not an action }} "),
        SecretValue("kv/data/a", "k", 2, 1),
    )


def test_custom_delimiters_with_trim_markers() -> None:
    assert segments('a \n<<- env "X" ->>\n b', "<<", ">>") == (
        Literal("a"),
        EnvValue("X", 2),
        Literal("b"),
    )


def test_empty_delimiters_mean_the_defaults() -> None:
    assert segments('{{ env "X" }}', "", "") == (EnvValue("X", 1),)


def test_string_constants_print_literally() -> None:
    assert segments('{{ "{{" }} x {{ "}}" }} {{ `raw\n{{` }} {{ "tab\\t\\u00e9" }}') == (
        Literal("{{ x }} raw\n{{ tab\té"),
    )


def test_delimiter_inside_a_string_does_not_end_the_action() -> None:
    assert segments('{{ keyOrDefault "a" "}}" }}') == (ConsulKey("a", "}}", 1),)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("ok\n{{ with secret", 2, "unclosed action"),
        ('a\nb\n{{ "unterminated }}', 3, "unterminated quoted string"),
        ("{{ end }}", 1, "unexpected {{end}}"),
        ('x\n{{ range service "a" }}', 2, "no end"),
        ("{{ else }}", 1, "unexpected {{else}}"),
        ("{{ }}", 1, "missing value"),
        ("{{ (env }}", 1, "unclosed left paren"),
        ("{{ a # }}", 1, "unrecognized character"),
    ],
)
def test_syntax_errors_are_one_unknown_with_their_line(text: str, line: int, message: str) -> None:
    analysis = analyze_template(text)
    assert analysis.segments == analysis.problems
    (problem,) = analysis.problems
    assert problem.line == line
    assert problem.text == text
    assert message in problem.reason
    assert problem.reason.startswith("template syntax error")


def test_deep_nesting_is_reported_not_raised() -> None:
    deep = "{{ " + "(" * 3000 + 'env "A"' + ")" * 3000 + " }}"
    assert "nested too deeply" in only_problem(deep).reason
    assert segments("{{ " + "(" * 50 + 'env "A"' + ")" * 50 + " }}") == (EnvValue("A", 1),)


# --- unknown constructs and partial understanding -----------------------------


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ('{{ printf "%s" "a" }}', "`printf`"),
        ('{{ sockaddr "GetPrivateIP" }}', "`sockaddr`"),
        ('{{ plugin "x" }}', "`plugin`"),
        ("{{ timestamp }}", "`timestamp`"),
        ('{{ file "/etc/x" }}', "`file`"),
        ('{{ key "a" | urlquery }}', "`urlquery`"),
        ('{{ $x := env "A" }}', "declarations"),
        ('{{ template "t" }}', "`template`"),
        ("{{ .Foo }}", "outside `with`"),
        ("{{ 42 }}", "number"),
        ('{{ define "t" }}x{{ end }}', "named templates"),
        ('{{ range tree "a" }}{{ .Key }}{{ end }}', "`tree`"),
    ],
)
def test_unsupported_constructs_are_unknown(action: str, reason: str) -> None:
    problem = only_problem(action)
    assert problem.text == action
    assert reason in problem.reason


def test_unknown_keeps_line_and_understood_segments_are_listed() -> None:
    text = (
        'user={{ with secret "kv/data/a" }}{{ .Data.data.user }}{{ end }}\n'
        "line two\n"
        '{{ if env "DEBUG" }}\ndebug=1\n{{ else }}\ndebug=0\n{{ end }}\n'
        'port={{ env "NOMAD_PORT_http" }}\n'
    )
    analysis = analyze_template(text)
    assert not analysis.understood
    assert analysis.has_secrets
    (problem,) = analysis.problems
    assert problem.line == 3
    assert problem.text.startswith("{{ if") and problem.text.endswith("{{ end }}")
    assert "`if`" in problem.reason
    assert SecretValue("kv/data/a", "user", 2, 1) in analysis.segments
    assert EnvValue("NOMAD_PORT_http", 8) in analysis.segments


def test_secrets_inside_unknown_blocks_are_flagged_conservatively() -> None:
    analysis = analyze_template('{{ if true }}{{ with secret "kv/a" }}x{{ end }}{{ end }}')
    assert not analysis.has_secrets and analysis.may_have_secrets
    assert not analyze_template('{{ if true }}{{ env "A" }}{{ end }}').may_have_secrets


def test_variable_from_unsupported_declaration_is_named() -> None:
    analysis = analyze_template('{{ $x := env "A" }}{{ $x }}')
    assert "set by an unsupported declaration" in analysis.problems[1].reason


def test_line_offsets_count_from_one_within_the_template() -> None:
    text = 'a\nb\n\n{{ with nomadVar "nomad/jobs/x" }}\n  k={{ .k }}\n{{ end }}'
    assert NomadVarValue("nomad/jobs/x", "k", 5) in segments(text)


def test_literal_line_is_not_part_of_equality() -> None:
    assert Literal("x", 3) == Literal("x")
    (literal,) = segments("\n\nx")
    assert literal.line == 1


# --- env files -----------------------------------------------------------------


def env(text: str) -> list:
    return env_lines(analyze_template(text))


def test_env_lines_are_classified() -> None:
    text = (
        "# a comment\n"
        "\n"
        "STATIC=plain value\n"
        '{{ with secret "kv/data/app" }}\n'
        'PASSWORD="{{ .Data.data.password }}"\n'
        "DATABASE_URL=postgres://app:{{ .Data.data.password }}@db:5432/app\n"
        "{{ end }}\n"
        'PORT={{ env "NOMAD_PORT_http" }}\n'
    )
    lines = env(text)
    assert [(line.name, line.kind, line.line) for line in lines] == [
        ("STATIC", EnvValueKind.STATIC, 3),
        ("PASSWORD", EnvValueKind.SECRET, 5),
        ("DATABASE_URL", EnvValueKind.MIXED, 6),
        ("PORT", EnvValueKind.DYNAMIC, 8),
    ]
    static, secret, mixed, dynamic = lines
    assert static.static_value == "plain value"
    assert secret.segments == (SecretValue("kv/data/app", "password", 2, 5),)
    assert secret.quoting is EnvQuoting.DOUBLE
    assert mixed.segments == (
        Literal("postgres://app:"),
        SecretValue("kv/data/app", "password", 2, 6),
        Literal("@db:5432/app"),
    )
    assert mixed.quoting is EnvQuoting.NONE
    assert dynamic.segments == (EnvValue("NOMAD_PORT_http", 8),)


def test_env_line_syntax_follows_go_envparse() -> None:
    text = (
        "  export A = spaced out   # trailing comment\n"
        "B='single \"quoted\" # kept'\n"
        'C="tab\\tnew\\nline \\u00e9 \\"q\\""\n'
        "D=mixed 'a b'\"c\"\n"
        "E=\n"
        "export=value\n"
        "F.G/h=dots\n"
    )
    values = {line.name: line.static_value for line in env(text)}
    assert values == {
        "A": "spaced out",
        "B": 'single "quoted" # kept',
        "C": 'tab\tnew\nline é "q"',
        "D": "mixed a bc",
        "E": "",
        "export": "value",
        "F.G/h": "dots",
    }


def test_env_comment_hides_a_secret() -> None:
    text = (
        '{{ with secret "kv/data/a" }}# OLD={{ .Data.data.old }}\nNEW={{ .Data.data.new }}{{ end }}'
    )
    (line,) = env(text)
    assert line.name == "NEW" and line.kind is EnvValueKind.SECRET


def test_env_value_comment_drops_what_follows() -> None:
    (line,) = env('{{ with secret "kv/data/a" }}A=x # {{ .Data.data.k }}{{ end }}')
    assert line.kind is EnvValueKind.STATIC and line.static_value == "x"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("no equals sign here", "missing '='"),
        ("1KEY=x", "invalid variable name"),
        ('A="open', 'unmatched "'),
        ("A='open", "unmatched '"),
        ('A="\\q"', "invalid escape"),
        ('{{ env "NAME" }}=value', "variable name is produced by a template value"),
        ('A={{ if env "X" }}1{{ end }}', "`if`"),
    ],
)
def test_env_lines_that_cannot_be_split_are_unknown(text: str, reason: str) -> None:
    (line,) = env("OK=1\n" + text)[1:]
    assert line.kind is EnvValueKind.UNKNOWN
    assert line.problem is not None and reason in line.problem.reason
    assert line.line == 2 and line.problem.line == 2


def test_env_whole_secret_dump_lines() -> None:
    text = (
        "BEFORE=1\n"
        '{{- with nomadVar "nomad/jobs/app" }}\n'
        "  {{- range .Tuples }}\n"
        "  {{ .K }}={{ .V }}\n"
        "  {{- end }}\n"
        "{{- end }}\n"
        "AFTER=2\n"
    )
    lines = env(text)
    assert [(line.name, line.kind) for line in lines] == [
        ("BEFORE", EnvValueKind.STATIC),
        ("", EnvValueKind.ALL_KEYS),
        ("AFTER", EnvValueKind.STATIC),
    ]
    assert isinstance(lines[1].segments[0], NomadVarAllKeys)


def test_env_dump_without_line_breaks_is_unknown() -> None:
    text = (
        '{{ with secret "kv/data/a" }}'
        "{{ range $k, $v := .Data.data }}{{ $k }}={{ $v }}{{ end }}"
        "{{ end }}"
    )
    (line,) = env(text)
    assert line.kind is EnvValueKind.UNKNOWN
    assert line.problem is not None and "separate lines" in line.problem.reason


def test_env_range_service_of_whole_lines_is_laid_out() -> None:
    text = (
        "NAME=app\n"
        '{{ range service "db" }}\nDB_HOST={{ .Address }}\nDB_PORT={{ .Port }}\n{{ end }}\n'
    )
    lines = env(text)
    last = ServiceInstances.LAST
    assert [(line.name, line.kind) for line in lines] == [
        ("NAME", EnvValueKind.STATIC),
        ("DB_HOST", EnvValueKind.DYNAMIC),
        ("DB_PORT", EnvValueKind.DYNAMIC),
    ]
    assert lines[1].segments == (ServiceAddress(ServiceQuery("db"), (Field("Address"),), 2, last),)
    assert lines[2].segments == (ServiceAddress(ServiceQuery("db"), (Field("Port"),), 2, last),)


def test_env_range_service_inside_a_value_stays_whole() -> None:
    (line,) = env('HOSTS={{ range service "db" }}{{ .Address }},{{ end }}')
    assert line.kind is EnvValueKind.DYNAMIC
    (segment,) = line.segments
    assert isinstance(segment, ServiceAddress) and segment.instances is ServiceInstances.EACH


def test_env_range_entry_followed_by_text_is_unknown() -> None:
    (line,) = env('{{ range service "db" }}\nH={{ .Address }}{{ end }}X=1\n')
    assert line.kind is EnvValueKind.UNKNOWN


# --- ESO templates -------------------------------------------------------------


def render_go(template: str, values: dict[str, str]) -> str:
    """A tiny Go text/template renderer for what to_eso_template emits; anything
    else that opens an action fails, as it would be misread by Go."""
    action = re.compile(
        r'\{\{ "([^"\\]*)" \}\}|\{\{ \.([A-Za-z_][A-Za-z0-9_]*) \}\}'
        r'|\{\{ index \. "([-._a-zA-Z0-9]+)" \}\}'
    )
    out, pos = [], 0
    while pos < len(template):
        if template.startswith("{{", pos):
            match = action.match(template, pos)
            assert match is not None, f"unexpected action at {template[pos:pos + 20]!r}"
            string, field, indexed = match.groups()
            out.append(string if string is not None else values[field or indexed])
            pos = match.end()
        else:
            out.append(template[pos])
            pos += 1
    return "".join(out)


def test_to_eso_template_references_keys_and_escapes_braces() -> None:
    secret = SecretValue("kv/data/app", "db-password", 2, 1)
    user = NomadVarValue("nomad/jobs/app", "user", 1)
    parts = (Literal("a {{b}} {"), user, Literal(":"), secret, Literal("}} end {"))
    keys = {"db-password": "db-password", "user": "user"}
    template = to_eso_template(parts, lambda segment: keys[segment.key])
    assert template == (
        'a {{ "{{" }}b}} {{ "{" }}{{ .user }}:{{ index . "db-password" }}}} end {{ "{" }}'
    )
    assert render_go(template, {"user": "U", "db-password": "P"}) == "a {{b}} {U:P}} end {"


def test_to_eso_template_substitutes_non_secret_values() -> None:
    service = ServiceAddress(ServiceQuery("db"), (Field("Address"), ":", Field("Port")), 1)
    parts = (
        Literal("postgres://"),
        service,
        Literal("/"),
        EnvValue("DB", 1),
        Literal("?k="),
        ConsulKey("k", None, 1),
    )
    replacements = {service: "db.apps.svc.cluster.local:5432", EnvValue("DB", 1): "{{x"}
    only_service: dict[ServiceAddress | EnvValue, str] = {service: "db"}
    with pytest.raises(EsoTemplateError, match='line 1: `env "DB"` has no value the module knows'):
        to_eso_template(parts, lambda s: "k", only_service.get)
    with pytest.raises(EsoTemplateError, match=r'`service "db"` \(consul\)'):
        to_eso_template(parts, lambda s: "k")
    # A Consul KV value is read from the ExternalSecret, like a Vault one.
    template = to_eso_template(parts, lambda s: "kv_k", replacements.get)
    assert render_go(template, {"kv_k": "V"}) == (
        "postgres://db.apps.svc.cluster.local:5432/{{x?k=V"
    )


@pytest.mark.parametrize(
    ("key", "ref"),
    [
        ("app/db/password", SecretRef("consul", "app/db", "password")),
        ("/app/token/", SecretRef("consul", "app", "token")),
        ("token", SecretRef("consul", "token", "value")),
    ],
)
def test_consul_keys_are_referenced_like_kv_secrets(key: str, ref: SecretRef) -> None:
    assert secret_ref(ConsulKey(key, None, 1)) == ref


@pytest.mark.parametrize(
    "segment",
    [
        Unknown("{{ if }}", 1, "x"),
        SecretAllKeys("kv/data/a", 2, (Field("key"),), 1),
        NomadVarAllKeys("nomad/jobs/a", (Field("key"),), 1),
    ],
)
def test_to_eso_template_rejects_what_it_cannot_express(segment) -> None:
    with pytest.raises(EsoTemplateError):
        to_eso_template((segment,), lambda s: "k", lambda s: "x")


def test_to_eso_template_rejects_invalid_keys() -> None:
    with pytest.raises(EsoTemplateError, match="invalid data key"):
        to_eso_template((SecretValue("p", "k", 2, 1),), lambda s: "not valid!")


def test_secret_data_keys() -> None:
    assert secret_data_key("db_password") == "db_password"
    assert secret_data_key("my key/é") == "my_key__"
    assert secret_data_key("") == "_"
    assert secret_data_key("..") == "_.."
    assert re.fullmatch(r"[-._a-zA-Z0-9]+", secret_data_key("ä" * 300))
    assert len(secret_data_key("x" * 300)) == 253


def test_assign_data_keys_deduplicates() -> None:
    refs: list[Segment] = [
        SecretValue("kv/data/a", "password", 2, 1),
        SecretValue("kv/data/a", "password", 2, 9),
        SecretValue("kv/data/b", "password", 2, 2),
        NomadVarValue("nomad/jobs/a", "password", 3),
        Literal("ignored"),
        SecretValue("kv/data/a", "pass word", 2, 4),
        SecretValue("kv/data/a", "pass_word", 2, 5),
    ]
    assert assign_data_keys(refs) == {
        SecretRef("vault", "kv/data/a", "password"): "password",
        SecretRef("vault", "kv/data/b", "password"): "password-2",
        SecretRef("nomad", "nomad/jobs/a", "password"): "password-3",
        SecretRef("vault", "kv/data/a", "pass word"): "pass_word",
        SecretRef("vault", "kv/data/a", "pass_word"): "pass_word-2",
    }


# --- properties ----------------------------------------------------------------

_FRAGMENTS = st.sampled_from(
    [
        "{{", "}}", "{{-", "-}}", "{{- ", " -}}", "/*", "*/", '"', "`", "'", "(", ")", "|",
        "$", "$x", ":=", "=", ",", ".", ".Data", ".data", "\n", " ", "\t", "-", "0", "1.5",
        "end", "else", "if", "with", "range", "define", "template", "nil", "true", "secret",
        "nomadVar", "service", "key", "keyOrDefault", "env", "index", '"kv/data/a"', '"db"',
        "#", "A=", "export ", "\\", "é", "[[", "]]",
    ]
)  # fmt: skip
_TEMPLATE_LIKE = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=4)), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_TEMPLATE_LIKE, delimiters=st.sampled_from([("{{", "}}"), ("[[", "]]"), ("", "")]))
def test_analysis_never_raises(text: str, delimiters: tuple[str, str]) -> None:
    analysis = analyze_template(text, *delimiters)
    assert isinstance(analysis, TemplateAnalysis)
    assert analysis.problems == tuple(s for s in analysis.segments if isinstance(s, Unknown))
    line_count = text.count("\n") + 1
    assert all(1 <= problem.line <= line_count for problem in analysis.problems)
    for line in env_lines(analysis):
        assert (line.kind is EnvValueKind.UNKNOWN) == (line.problem is not None)


_LITERAL_TEXT = st.lists(
    st.sampled_from([*"abc {}\"'`$-=#\n\t/.:\\é", "{{", "}}", "{{-", " -}}"]), max_size=12
).map("".join)
_SECRET = st.builds(
    lambda n, key: SecretValue(f"KV/DATA/P{n}", key, 2, 1),
    st.integers(0, 3),
    st.sampled_from(["user", "pass-word", "db.url", "_x", "9lives"]),
)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.one_of(_LITERAL_TEXT, _SECRET), max_size=8))
def test_eso_template_round_trips_literals_and_hides_paths(
    parts: list[str | SecretValue],
) -> None:
    # Written as a consul-template, analysed, then turned into an ESO template.
    source = "".join(
        (
            escape_template_text(part)
            if isinstance(part, str)
            else f'{{{{ with secret "{part.path}" }}}}'
            f'{{{{ index .Data.data "{part.key}" }}}}{{{{ end }}}}'
        )
        for part in parts
    )
    analysis = analyze_template(source)
    assert analysis.understood
    keys = assign_data_keys(analysis.segments)

    def key_for(leaf: SecretLeaf) -> str:
        assert isinstance(leaf, SecretValue)
        return keys[SecretRef("vault", leaf.path, leaf.key)]

    template = to_eso_template(analysis.segments, key_for)
    values = {key: f"<{ref.path}|{ref.key}>" for ref, key in keys.items()}
    expected = "".join(
        part if isinstance(part, str) else f"<{part.path}|{part.key}>" for part in parts
    )
    assert render_go(template, values) == expected
    assert not any(part.path in template for part in parts if isinstance(part, SecretValue))


@given(text=st.text(max_size=30), key=st.sampled_from(["k", "a-b"]))
def test_escaped_text_renders_unchanged_before_an_action(text: str, key: str) -> None:
    template = to_eso_template((Literal(text), SecretValue("p", key, 2, 1)), lambda s: key)
    assert render_go(template, {key: "V"}) == text + "V"


# --- real jobspecs (smoke) -------------------------------------------------------


@pytest.mark.shared
def test_corpus_templates_analyse_without_errors(shared_corpus: Path) -> None:
    from generator.diagnostics import InputError
    from generator.hcl import load_hcl_file

    count = 0
    for path in sorted(shared_corpus.rglob("*")):
        if path.suffix not in (".hcl", ".nomad") or not path.is_file():
            continue
        try:
            root = load_hcl_file(path)
        except InputError:
            continue
        for block in root.walk():
            data = block.get("data") if block.kind == "template" else None
            if not isinstance(data, str):
                continue
            left = block.get("left_delimiter") or "{{"
            analysis = analyze_template(data, left, block.get("right_delimiter") or "}}")
            env_lines(analysis)
            count += 1
            if "cluster-state" in path.parts:
                assert analysis.understood, (path, analysis.problems)
    assert count > 0

"""Pod volumes: task dirs, group volumes (CSI and host), docker binds, mounts and tmpfs."""

from __future__ import annotations

import pytest

from generator.diagnostics import DiagnosticSink
from generator.docker_binds import Bind, parse_volume_string
from generator.hcl import parse_hcl
from generator.k8s_plan import PodVolume, VolumeMountSpec
from generator.model import Group, Task
from generator.model_builder import build_job
from generator.settings import Settings
from generator.translate.context import Context
from generator.translate.interpolation import PodFacts
from generator.translate.names import k8s_name
from generator.translate.volumes import PodVolumes, binds_of, nfs_export, task_dir_of

FILE = "x.nomad.hcl"


def make_ctx(**settings: object) -> Context:
    return Context(
        settings=Settings.model_validate(settings),
        sink=DiagnosticSink(),
        file=FILE,
        job_name="x",
    )


def group_of(body: str) -> Group:
    text = 'job "x" {\n  group "g" {\n' + body + "  }\n}\n"
    return build_job(parse_hcl(text, FILE)).groups[0]


def task_of(group: Group) -> Task:
    return group.tasks[0]


def diagnostics(ctx: Context) -> list[tuple[str, int | None, str | None]]:
    return [(d.code, d.line, d.path) for d in ctx.sink]


# --- task_dir_of / parse_volume_string --------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("local/conf.d/a.conf", ("local", "conf.d/a.conf")),
        ("local", ("local", "")),
        ("local/", ("local", "")),
        ("./secrets/token", ("secrets", "token")),
        ("alloc/data", ("alloc", "data")),
        ("../alloc/data", ("alloc", "data")),
        ("local/../secrets/x", ("secrets", "x")),
        ("/local/x", None),
        ("data/x", None),
        ("localx/y", None),
        ("local/../../etc", None),
        ("", None),
    ],
)
def test_task_dir_of(path: str, expected: tuple[str, str] | None) -> None:
    assert task_dir_of(path) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("local/a:/etc/a", Bind("local/a", "/etc/a", False, 3)),
        ("/srv/data:/data:ro", Bind("/srv/data", "/data", True, 3)),
        ("/srv/data:/data:rw", Bind("/srv/data", "/data", False, 3)),
        ("/srv/data:/data:z,ro", Bind("/srv/data", "/data", True, 3)),
        ("cache:/cache", Bind("cache", "/cache", False, 3)),
        ("no-separator", None),
    ],
)
def test_parse_volume_string(text: str, expected: Bind | None) -> None:
    assert parse_volume_string(text, 3) == expected


def test_binds_of_reports_unparseable_entry_at_config_line() -> None:
    group = group_of(
        '    task "t" {\n'
        "      config {\n"
        '        volumes = ["local/a:/a", "oops"]\n'
        "        mount {\n"
        '          type   = "bind"\n'
        '          source = "/srv"\n'
        '          target = "/srv"\n'
        "        }\n"
        "      }\n"
        "    }\n"
    )
    ctx = make_ctx()
    binds = binds_of(task_of(group), ctx)
    assert binds == [
        Bind("local/a", "/a", False, 4),
        Bind("/srv", "/srv", False, 6, "bind", mount_block=True),
    ]
    assert diagnostics(ctx) == [("needs-decision", 4, "task[t].config.volumes")]
    assert "'oops' is not `source:target[:ro]`" in next(iter(ctx.sink)).message


# --- group volumes ----------------------------------------------------------------------


CSI_GROUP = """\
    volume "data" {
      type   = "csi"
      source = "app-data"
    }
    volume "ro" {
      type      = "csi"
      source    = "shared"
      read_only = true
    }
    volume "media" {
      type   = "host"
      source = "media-disk"
    }
    volume "scratch" {
      type = "host"
    }
"""


def test_csi_volume_is_host_path_under_storage_root() -> None:
    ctx = make_ctx()
    volumes = PodVolumes(ctx, group_of(CSI_GROUP))
    assert volumes.group_volume("data", writable_mount=True) == "data"
    assert volumes.pod_volumes() == [
        PodVolume(
            name="data", kind="host_path", path="/storage/v/app-data", host_path_type="Directory"
        )
    ]
    assert volumes.writable_host_paths == ["CSI volume 'app-data' at /storage/v/app-data"]
    assert len(ctx.sink) == 0


def test_csi_volume_follows_settings() -> None:
    ctx = make_ctx(storage_root="/mnt/volumes/", hostpath_type="DirectoryOrCreate")
    volumes = PodVolumes(ctx, group_of(CSI_GROUP))
    volumes.group_volume("data", writable_mount=True)
    (volume,) = volumes.pod_volumes()
    assert (volume.path, volume.host_path_type) == ("/mnt/volumes/app-data", "DirectoryOrCreate")


@pytest.mark.parametrize(("name", "writable_mount"), [("ro", True), ("data", False)])
def test_read_only_volume_is_not_recorded_writable(name: str, writable_mount: bool) -> None:
    volumes = PodVolumes(make_ctx(), group_of(CSI_GROUP))
    assert volumes.group_volume(name, writable_mount) == name
    assert volumes.writable_host_paths == []


def test_host_volume_mapped_by_settings() -> None:
    ctx = make_ctx(host_volumes={"media-disk": "/srv/media"})
    volumes = PodVolumes(ctx, group_of(CSI_GROUP))
    assert volumes.group_volume("media", writable_mount=True) == "media"
    (volume,) = volumes.pod_volumes()
    assert (volume.kind, volume.path) == ("host_path", "/srv/media")
    assert volumes.writable_host_paths == ["host volume 'media-disk' at /srv/media"]
    assert len(ctx.sink) == 0


def test_unmapped_host_volume_needs_decision_and_falls_back() -> None:
    ctx = make_ctx()
    volumes = PodVolumes(ctx, group_of(CSI_GROUP))
    assert volumes.group_volume("scratch", writable_mount=False) == "scratch"
    (volume,) = volumes.pod_volumes()
    assert (volume.kind, volume.path) == ("host_path", "/storage/v/scratch")
    assert diagnostics(ctx) == [("needs-decision", 16, "group[g].volume[scratch]")]
    assert next(iter(ctx.sink)).message == (
        "host volume 'scratch' has no path in the settings' `host_volumes`;"
        " assumed /storage/v/scratch"
    )


def test_undeclared_group_volume_is_none() -> None:
    volumes = PodVolumes(make_ctx(), group_of(CSI_GROUP))
    assert volumes.group_volume("nope", writable_mount=True) is None
    assert volumes.pod_volumes() == []


def test_same_volume_is_added_once() -> None:
    volumes = PodVolumes(make_ctx(), group_of(CSI_GROUP))
    volumes.group_volume("data", writable_mount=True)
    volumes.group_volume("data", writable_mount=True)
    assert [v.name for v in volumes.pod_volumes()] == ["data"]


# --- docker binds -----------------------------------------------------------------------


TASK = '    task "t" {\n      config {\n        image = "a"\n      }\n    }\n'


def mount_for(
    bind: Bind, ctx: Context | None = None, body: str = TASK
) -> tuple[VolumeMountSpec | None, PodVolumes]:
    group = group_of(body)
    volumes = PodVolumes(ctx or make_ctx(), group)
    return volumes.bind_mount(task_of(group), bind), volumes


def test_absolute_bind_is_writable_host_path() -> None:
    ctx = make_ctx()
    spec, volumes = mount_for(Bind("/srv/app/data", "/data", False, 9), ctx)
    assert spec == VolumeMountSpec("host-srv-app-data", "/data", None, False)
    assert volumes.pod_volumes() == [
        PodVolume(
            name="host-srv-app-data",
            kind="host_path",
            path="/srv/app/data",
            host_path_type="DirectoryOrCreate",
        )
    ]
    assert volumes.writable_host_paths == ["bind mount of /srv/app/data"]
    assert len(ctx.sink) == 0


def test_binds_whose_names_meet_after_sanitising_stay_two_volumes() -> None:
    group = group_of(TASK)
    volumes = PodVolumes(make_ctx(), group)
    task = task_of(group)
    first = volumes.bind_mount(task, Bind("/srv/a_b", "/x", False, 9))
    second = volumes.bind_mount(task, Bind("/srv/a-b", "/y", False, 10))
    again = volumes.bind_mount(task, Bind("/srv/a_b", "/z", True, 11))
    assert first is not None and second is not None and again is not None
    assert (first.name, second.name, again.name) == (
        "host-srv-a-b",
        "host-srv-a-b-2",
        "host-srv-a-b",
    )
    assert {v.name: v.path for v in volumes.pod_volumes()} == {
        "host-srv-a-b": "/srv/a_b",
        "host-srv-a-b-2": "/srv/a-b",
    }


def test_scratch_binds_whose_names_meet_stay_two_volumes() -> None:
    group = group_of(TASK)
    volumes = PodVolumes(make_ctx(), group)
    task = task_of(group)
    first = volumes.bind_mount(task, Bind("data!", "/x", False, 9))
    second = volumes.bind_mount(task, Bind("data?", "/y", False, 10))
    assert first is not None and second is not None
    assert first.name != second.name


def test_read_only_absolute_bind_is_not_recorded_writable() -> None:
    spec, volumes = mount_for(Bind("/etc/ssl/certs", "/etc/ssl/certs", True, 9))
    assert spec == VolumeMountSpec("host-etc-ssl-certs", "/etc/ssl/certs", None, True)
    assert volumes.writable_host_paths == []


@pytest.mark.parametrize("source", ["cache", "data/db"])
def test_a_relative_volumes_source_is_scratch_space_in_the_task_dir(source: str) -> None:
    # Nomad's docker driver joins it to the task dir: it lives as long as the allocation.
    ctx = make_ctx()
    spec, volumes = mount_for(Bind(source, "/var/cache", False, 9), ctx)
    name = k8s_name(f"task-t-{source}")
    assert spec == VolumeMountSpec(name, "/var/cache", None, False)
    assert volumes.pod_volumes() == [PodVolume(name=name, kind="empty_dir")]
    assert volumes.writable_host_paths == []
    assert len(ctx.sink) == 0


def test_a_named_docker_volume_keeps_its_data_on_a_host_path() -> None:
    ctx = make_ctx()
    spec, volumes = mount_for(Bind("pgdata", "/var/lib/postgresql", False, 9, "volume"), ctx)
    assert spec == VolumeMountSpec("volume-pgdata", "/var/lib/postgresql", None, False)
    assert volumes.pod_volumes() == [
        PodVolume(
            name="volume-pgdata",
            kind="host_path",
            path="/storage/v/pgdata",
            host_path_type="Directory",
        )
    ]
    assert volumes.writable_host_paths == ["docker volume 'pgdata'"]
    assert diagnostics(ctx) == [("needs-decision", 9, "task[t].config")]
    assert "/var/lib/docker/volumes/pgdata" in next(iter(ctx.sink)).message


def test_volumes_with_a_volume_driver_name_docker_volumes() -> None:
    ctx = make_ctx()
    bind = Bind("shared", "/shared", False, 9, "bind", "rexray")
    _, volumes = mount_for(bind, ctx)
    assert volumes.pod_volumes() == [PodVolume(name="volume-shared", kind="empty_dir")]
    assert "of the 'rexray' driver becomes an empty_dir" in next(iter(ctx.sink)).message


def test_an_anonymous_docker_volume_is_scratch_space() -> None:
    ctx = make_ctx()
    _, volumes = mount_for(Bind("", "/scratch", False, 9, "volume"), ctx)
    assert volumes.pod_volumes() == [PodVolume(name="volume-scratch", kind="empty_dir")]
    assert len(ctx.sink) == 0


NFS = (("device", ":/volume1/media"), ("o", "addr=192.168.1.10,nolock,soft,rw"), ("type", "nfs"))


def test_a_local_driver_nfs_volume_becomes_an_nfs_volume() -> None:
    ctx = make_ctx()
    bind = Bind("", "/media", True, 9, "volume", "local", NFS)
    spec, volumes = mount_for(bind, ctx)
    assert spec == VolumeMountSpec("volume-media", "/media", None, True)
    assert volumes.pod_volumes() == [
        PodVolume(name="volume-media", kind="nfs", server="192.168.1.10", path="/volume1/media")
    ]
    # nolock and soft cannot be set on a pod's nfs volume: said, not lost.
    assert [d.message.split(":")[0] for d in ctx.sink] == ["nfs mount options nolock,soft"]


def test_an_ro_nfs_option_mounts_read_only() -> None:
    options = (("device", "nas:/x"), ("o", "addr=nas,ro"), ("type", "nfs"))
    spec, _ = mount_for(Bind("", "/x", False, 9, "volume", "local", options))
    assert spec is not None and spec.read_only


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (NFS, ("192.168.1.10", "/volume1/media")),
        ((("device", "nas:/export"), ("type", "nfs4")), ("nas", "/export")),
        ((("device", "//nas/share"), ("type", "cifs")), None),
        ((("device", ":relative"), ("o", "addr=nas"), ("type", "nfs")), None),
    ],
)
def test_nfs_export(options, expected) -> None:
    assert nfs_export(Bind("x", "/x", False, 1, "volume", "local", options)) == expected


def test_a_cifs_volume_needs_a_decision() -> None:
    ctx = make_ctx()
    options = (("device", "//nas/share"), ("type", "cifs"))
    _, volumes = mount_for(Bind("share", "/share", False, 9, "volume", "local", options), ctx)
    assert volumes.pod_volumes() == [PodVolume(name="volume-share", kind="empty_dir")]
    assert "of the 'local' driver becomes an empty_dir" in next(iter(ctx.sink)).message


def test_tmpfs_is_memory_empty_dir() -> None:
    ctx = make_ctx()
    spec, volumes = mount_for(Bind("", "/run/tmp", False, 9, "tmpfs"), ctx)
    assert spec == VolumeMountSpec("tmpfs-t-tmp", "/run/tmp")
    assert volumes.pod_volumes() == [
        PodVolume(name="tmpfs-t-tmp", kind="empty_dir", medium="Memory")
    ]
    assert len(ctx.sink) == 0


def test_task_dir_bind_uses_sub_path_and_no_size_limit() -> None:
    # Nomad does not enforce ephemeral_disk.size (it places by it): no eviction limit here.
    body = "    ephemeral_disk {\n      size = 300\n    }\n" + TASK
    ctx = make_ctx()
    spec, volumes = mount_for(Bind("local/conf", "/etc/app", True, 9), ctx, body)
    assert spec == VolumeMountSpec("local-t", "/etc/app", "conf", True)
    assert volumes.pod_volumes() == [PodVolume(name="local-t", kind="empty_dir")]
    assert len(ctx.sink) == 0


@pytest.mark.parametrize(
    ("source", "volume"),
    [
        ("local", PodVolume(name="local-t", kind="empty_dir")),
        ("alloc/data", PodVolume(name="alloc", kind="empty_dir")),
        ("secrets", PodVolume(name="secrets-t", kind="empty_dir", medium="Memory")),
    ],
)
def test_task_dir_volumes(source: str, volume: PodVolume) -> None:
    spec, volumes = mount_for(Bind(source, "/x", False, 9))
    assert spec is not None
    assert spec.name == volume.name
    assert spec.sub_path == (source.partition("/")[2] or None)
    assert volumes.pod_volumes() == [volume]


# --- host_path.type ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bind", "expected"),
    [
        # docker `volumes` (Binds): Docker creates a missing directory.
        (Bind("/srv/app", "/data", False, 9), "DirectoryOrCreate"),
        # a `mount` block of type bind: Docker refuses a missing source.
        (Bind("/srv/app", "/data", False, 9, mount_block=True), "Directory"),
        (Bind("/var/run/docker.sock", "/var/run/docker.sock", False, 9), "Socket"),
        (Bind("/run/containerd/containerd.sock", "/c.sock", False, 9), "Socket"),
        (Bind("/run/dbus/system_bus_socket", "/d", True, 9, mount_block=True), "Socket"),
        (Bind("/dev/net/tun", "/dev/net/tun", False, 9), "CharDevice"),
        (Bind("/dev/dri/renderD128", "/dev/dri/renderD128", False, 9), "CharDevice"),
        (Bind("/dev/ttyUSB0", "/dev/ttyUSB0", False, 9), "CharDevice"),
        (Bind("/dev/sda", "/dev/sda", False, 9), "BlockDevice"),
        (Bind("/dev/dri", "/dev/dri", False, 9), "DirectoryOrCreate"),
        (Bind("/dev/bus/usb", "/dev/bus/usb", False, 9, mount_block=True), "Directory"),
        (Bind("/dev/shm", "/dev/shm", False, 9), "DirectoryOrCreate"),
        (Bind("/etc/machine-id", "/etc/machine-id", True, 9), "File"),
        (Bind("/etc/localtime", "/etc/localtime", True, 9), "File"),
        (Bind("/srv/traefik/traefik.yml", "/etc/traefik/traefik.yml", True, 9), "File"),
        (Bind("/srv/certs/tls.pem", "/tls.pem", True, 9, mount_block=True), "File"),
        (Bind("/srv/app/.env", "/app/.env", True, 9), "File"),
        (Bind("/usr/bin/nvidia-smi", "/usr/bin/nvidia-smi", True, 9), "File"),
        (Bind("/usr/lib/libnvidia-ml.so.1", "/usr/lib/libnvidia-ml.so.1", True, 9), "File"),
        (Bind("/home/me/.gnupg", "/root/.gnupg", True, 9), "DirectoryOrCreate"),
        (Bind("/srv/conf.d/", "/etc/conf.d", True, 9), "DirectoryOrCreate"),
        (Bind("/proc", "/host/proc", True, 9), "DirectoryOrCreate"),
        (Bind("/dev/bus/usb/001", "/dev/bus/usb/001", True, 9), "DirectoryOrCreate"),
        (Bind("/dev/bus/usb/001/004", "/dev/bus/usb/001/004", True, 9), "CharDevice"),
        (Bind("/dev/mapper/control", "/dev/mapper/control", True, 9), "CharDevice"),
        (Bind("/dev/mapper/vg-data", "/dev/data", True, 9), "BlockDevice"),
        (Bind("/dev/nvidia-caps", "/dev/nvidia-caps", True, 9), "DirectoryOrCreate"),
    ],
)
def test_a_bind_gets_the_host_path_type_of_what_docker_mounts(bind: Bind, expected: str) -> None:
    _, volumes = mount_for(bind)
    assert [v.host_path_type for v in volumes.pod_volumes()] == [expected]


@pytest.mark.parametrize("path", ["/proc/1/ns", "/sys/fs/cgroup", "/dev/shm/app"])
def test_a_path_inside_a_kernel_file_system_is_not_checked_and_says_so(path: str) -> None:
    ctx = make_ctx()
    _, volumes = mount_for(Bind(path, "/x", True, 9), ctx)
    assert [v.host_path_type for v in volumes.pod_volumes()] == [None]
    assert [(d.code, d.severity.value, d.line) for d in ctx.sink] == [("dropped", "info", 9)]


def test_the_settings_name_the_host_path_type_per_path() -> None:
    ctx = make_ctx(hostpath_types={"/srv/app/state": "FileOrCreate", "/srv/socks/*": "Socket"})
    _, volumes = mount_for(Bind("/srv/app/state", "/state", False, 9), ctx)
    _, others = mount_for(Bind("/srv/socks/agent", "/agent", False, 9), ctx)
    assert [v.host_path_type for v in volumes.pod_volumes() + others.pod_volumes()] == [
        "FileOrCreate",
        "Socket",
    ]


def test_host_volumes_keep_the_settings_host_path_type_unless_the_path_says_otherwise() -> None:
    group = group_of(
        '    volume "data" {\n      type = "host"\n      source = "data"\n    }\n'
        '    volume "sock" {\n      type = "host"\n      source = "sock"\n    }\n'
    )
    ctx = make_ctx(
        hostpath_type="DirectoryOrCreate",
        host_volumes={"data": "/srv/data", "sock": "/run/podman/podman.sock"},
    )
    volumes = PodVolumes(ctx, group)
    volumes.group_volume("data", True)
    volumes.group_volume("sock", True)
    assert [v.host_path_type for v in volumes.pod_volumes()] == ["DirectoryOrCreate", "Socket"]


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"hostpath_type": "Dir"}, "hostpath_type"),
        ({"hostpath_types": {"/a": "Folder"}}, "hostpath_types"),
        ({"hostpath_types": {"a/b": "File"}}, "hostpath_types"),
    ],
)
def test_an_unknown_host_path_type_in_the_settings_is_refused(settings: dict, key: str) -> None:
    with pytest.raises(ValueError, match=key):
        Settings.model_validate(settings)


# --- bind propagation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("propagation", "privileged", "expected", "codes"),
    [
        ("rslave", False, "HostToContainer", []),
        ("slave", False, "HostToContainer", ["dropped"]),
        ("rprivate", False, None, []),
        ("rshared", True, "Bidirectional", []),
        ("rshared", False, "Bidirectional", ["needs-decision"]),
        ("sideways", False, None, ["needs-decision"]),
    ],
)
def test_docker_bind_propagation_becomes_mount_propagation(
    propagation: str, privileged: bool, expected: str | None, codes: list[str]
) -> None:
    body = TASK.replace(
        'image = "a"', f'image = "a"\n        privileged = {str(privileged).lower()}'
    )
    ctx = make_ctx()
    bind = Bind("/", "/host", True, 9, "bind", mount_block=True, propagation=propagation)
    spec, _ = mount_for(bind, ctx, body)
    assert spec is not None and spec.mount_propagation == expected
    assert [d.code for d in ctx.sink] == codes


def test_propagation_is_read_from_volumes_options_and_bind_options() -> None:
    group = group_of(
        '    task "t" {\n      config {\n        image = "a"\n'
        '        volumes = ["/mnt:/mnt:ro,rslave"]\n'
        '        mount {\n          type = "bind"\n          source = "/media"\n'
        '          target = "/media"\n          bind_options {\n'
        '            propagation = "rslave"\n          }\n        }\n      }\n    }\n'
    )
    assert [b.propagation for b in binds_of(task_of(group), make_ctx())] == ["rslave", "rslave"]
    written_as_map = group_of(
        '    task "t" {\n      config {\n        image = "a"\n'
        '        mount {\n          type = "bind"\n          source = "/media"\n'
        '          target = "/media"\n          bind_options = { propagation = "rshared" }\n'
        "        }\n      }\n    }\n"
    )
    assert [b.propagation for b in binds_of(task_of(written_as_map), make_ctx())] == ["rshared"]


def test_propagation_on_a_pod_local_volume_is_reported() -> None:
    ctx = make_ctx()
    spec, _ = mount_for(Bind("local/x", "/x", False, 9, propagation="rslave"), ctx)
    assert spec is not None and spec.mount_propagation is None
    assert diagnostics(ctx) == [("dropped", 9, "task[t].config")]


# --- interpolation in bind paths ----------------------------------------------------------


def facts_for(task: str = "t") -> PodFacts:
    return PodFacts(job_name="shop", group_name="g", task_name=task, namespace="default")


def binds_from(volumes: str, ctx: Context) -> list[Bind]:
    group = group_of(
        '    task "t" {\n      config {\n        image = "a"\n'
        f"        volumes = [{volumes}]\n      }}\n    }}\n"
    )
    return binds_of(task_of(group), ctx, facts_for())


def test_nomad_names_in_bind_paths_are_filled_in() -> None:
    ctx = make_ctx()
    [bind] = binds_from('"/storage/${NOMAD_JOB_NAME}/${NOMAD_TASK_NAME}:${NOMAD_TASK_DIR}/x"', ctx)
    assert (bind.source, bind.target) == ("/storage/shop/t", "/local/x")
    assert len(ctx.sink) == 0


def test_a_run_time_value_in_a_bind_path_is_reported() -> None:
    ctx = make_ctx()
    [bind] = binds_from('"/srv/${node.unique.name}/acme:/acme"', ctx)
    assert bind.source == "/srv/${node.unique.name}/acme"
    assert [d.code for d in ctx.sink] == ["needs-decision"]


@pytest.mark.parametrize(
    ("source", "codes"),
    [
        ("..${NOMAD_ALLOC_DIR}/data", []),
        ("../${NOMAD_ALLOC_DIR}/data", []),
        ("${NOMAD_ALLOC_DIR}/data", ["needs-decision"]),
    ],
)
def test_the_alloc_dir_variable_in_a_bind_source_is_the_pod_alloc_dir(
    source: str, codes: list[str]
) -> None:
    ctx = make_ctx()
    [bind] = binds_from(f'"{source}:/data"', ctx)
    group = group_of(TASK)
    volumes = PodVolumes(ctx, group)
    spec = volumes.bind_mount(task_of(group), bind)
    assert spec == VolumeMountSpec("alloc", "/data", "data", False)
    assert [v.kind for v in volumes.pod_volumes()] == ["empty_dir"]
    assert [d.code for d in ctx.sink] == codes

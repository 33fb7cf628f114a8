# A small git-backed wiki. Its repository lives on GlusterFS; large uploads go
# to a local disk on the one node that has room for them.
job "wiki" {
  datacenters = ["home"]
  type        = "service"

  constraint {
    attribute = "${node.unique.name}"
    value     = "node-a"
  }

  update {
    max_parallel     = 1
    min_healthy_time = "30s"
    healthy_deadline = "5m"
    auto_revert      = true
  }

  group "wiki" {
    count = 1

    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    volume "data" {
      type            = "csi"
      source          = "glusterfs_wiki_data"
      read_only       = false
      attachment_mode = "file-system"
      access_mode     = "single-node-writer"
    }

    volume "uploads" {
      type      = "host"
      source    = "wiki-uploads"
      read_only = false
    }

    service {
      name     = "wiki"
      port     = "http"
      provider = "consul"

      tags = [
        "traefik.enable=true",
        "traefik.http.routers.wiki.rule=Host(`wiki.example.org`)",
        "traefik.http.routers.wiki.entrypoints=websecure",
      ]

      check {
        type     = "http"
        path     = "/-/healthz"
        interval = "20s"
        timeout  = "4s"
      }
    }

    task "wiki" {
      driver = "docker"

      config {
        image = "docker.io/redimp/otterwiki:2.10.1"
        ports = ["http"]
      }

      env {
        SITE_NAME          = "Example Wiki"
        SITE_URL           = "https://wiki.example.org"
        READ_ACCESS        = "APPROVED"
        WRITE_ACCESS       = "APPROVED"
        MAX_CONTENT_LENGTH = "64"
      }

      volume_mount {
        volume      = "data"
        destination = "/app-data"
      }

      volume_mount {
        volume      = "uploads"
        destination = "/app-data/uploads"
      }

      resources {
        cpu        = 150
        memory     = 192
        memory_max = 384
      }

      kill_timeout = "15s"
    }
  }
}

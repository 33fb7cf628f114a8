# A metasearch engine behind the external Traefik's OAuth middleware.
# Its settings live on shared storage; its result cache is scratch space.
job "searxng" {
  datacenters = ["home"]

  group "searxng" {
    count = 2

    # One pod at a time, each ready for 10s before the next; give up after 5 minutes.
    update {
      max_parallel      = 1
      min_healthy_time  = "10s"
      healthy_deadline  = "3m"
      progress_deadline = "5m"
    }

    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    volume "settings" {
      type            = "csi"
      source          = "glusterfs_searxng_settings"
      read_only       = true
      attachment_mode = "file-system"
      access_mode     = "multi-node-reader-only"
    }

    service {
      name     = "searxng"
      port     = "http"
      provider = "consul"

      tags = [
        "traefik.enable=true",
        "traefik.http.routers.search.rule=Host(`search.example.org`)",
        "traefik.http.routers.search.entrypoints=websecure",
        "traefik.http.routers.search.middlewares=oauth-auth@docker",
      ]

      check {
        type     = "http"
        path     = "/healthz"
        interval = "15s"
        timeout  = "3s"

        # Restart after three failed checks, but not in the first minute.
        check_restart {
          limit = 3
          grace = "60s"
        }
      }
    }

    task "searxng" {
      driver = "docker"

      config {
        image   = "docker.io/searxng/searxng:2025.11.1-0245327fc"
        ports   = ["http"]
        volumes = ["local/cache:/var/cache/searxng"]
      }

      env {
        SEARXNG_BASE_URL   = "https://search.example.org/"
        SEARXNG_VALKEY_URL = "valkey://cache.service.consul:6379/1"
        SEARXNG_PORT       = "${NOMAD_PORT_http}"
      }

      volume_mount {
        volume      = "settings"
        destination = "/etc/searxng"
        read_only   = true
      }

      resources {
        cpu        = 200
        memory     = 256
        memory_max = 512
      }

      kill_timeout = "20s"
    }
  }
}

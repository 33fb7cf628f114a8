# A filtering DNS resolver for the LAN on a fixed node port, with its query log
# shipped by a sidecar declared first. The API and the metrics share one port
# under two labels; the resolver's health check restarts it after 3 failures.
job "dns-filter" {
  datacenters = ["home"]
  type        = "service"

  group "dns-filter" {
    count = 1

    network {
      mode = "bridge"
      port "dns" {
        static = 53
      }
      port "api" {
        to = 4000
      }
      port "metrics" {
        to = 4000
      }
    }

    task "log-shipper" {
      driver = "docker"

      lifecycle {
        hook    = "poststart"
        sidecar = true
      }

      config {
        image = "timberio/vector:0.41.1-alpine"
        args  = ["--config", "/local/vector.yaml"]
      }

      template {
        destination = "local/vector.yaml"
        data        = <<-EOF
          sources:
            queries:
              type: file
              include: ["/alloc/logs/queries.log"]
          sinks:
            out:
              type: console
              inputs: [queries]
              encoding:
                codec: json
        EOF
      }
    }

    task "resolver" {
      driver = "docker"

      config {
        image = "spx01/blocky:v0.24"
      }

      env {
        BLOCKY_CONFIG_FILE = "/local/config.yml"
      }

      template {
        destination = "local/config.yml"
        data        = <<-EOF
          upstreams:
            groups:
              default: [https://dns.quad9.net/dns-query]
          ports:
            dns: 53
            http: 4000
          queryLog:
            type: csv
            target: /alloc/logs
        EOF
      }

      resources {
        cpu    = 200
        memory = 128
      }

      service {
        name = "dns-filter"
        port = "dns"

        check {
          type     = "tcp"
          interval = "30s"
          timeout  = "2s"
        }
      }

      service {
        name = "dns-filter-api"
        port = "metrics"
        tags = ["traefik.enable=true", "traefik.http.routers.dns.rule=Host(`dns.example.org`)"]

        check {
          type     = "http"
          path     = "/api/blocking/status"
          interval = "10s"
          timeout  = "2s"

          check_restart {
            limit = 3
            grace = "30s"
          }
        }
      }
    }
  }
}

# An API gateway in front of the internal services. Its Caddyfile and its
# settings are plain templates; it reaches the auth service through the mesh.
job "gateway-config" {
  datacenters = ["home"]
  type        = "service"

  group "gateway" {
    count = 2

    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "gateway"
      port     = "http"
      provider = "consul"

      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "auth"
              local_bind_port  = 9100
            }
          }
        }
      }

      tags = [
        "traefik.enable=true",
        "traefik.http.routers.gateway.rule=Host(`api.example.org`) && (PathPrefix(`/v1`) || Path(`/health`))",
        "traefik.http.routers.gateway.entrypoints=websecure",
        "traefik.http.routers.gateway.tls=true",
        "traefik.http.routers.gateway.middlewares=gateway-strip,gateway-cors",
        "traefik.http.middlewares.gateway-strip.stripprefix.prefixes=/v1",
        "traefik.http.middlewares.gateway-cors.headers.accesscontrolallowmethods=GET,POST,OPTIONS",
        "traefik.http.middlewares.gateway-cors.headers.accesscontrolalloworiginlist=https://example.org",
        "traefik.http.middlewares.gateway-cors.headers.accesscontrolmaxage=600",
        "traefik.http.middlewares.gateway-cors.headers.addvaryheader=true",
        "traefik.http.routers.gateway-discovery.rule=PathPrefix(`/.well-known/gateway`)",
      ]

      check {
        type     = "http"
        path     = "/healthz"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "caddy" {
      driver = "docker"

      config {
        image = "docker.io/library/caddy:2.8.4-alpine"
        ports = ["http"]
        args  = ["caddy", "run", "--config", "/local/Caddyfile", "--adapter", "caddyfile"]
      }

      template {
        destination = "local/Caddyfile"
        perms       = "0640"
        change_mode = "noop"
        data        = <<-EOF
          {
            admin off
            auto_https off
          }

          :8080 {
            respond /healthz "ok" 200

            handle_path /auth/* {
              reverse_proxy {$AUTH_ADDR}
            }

            handle {
              forward_auth {$AUTH_ADDR} {
                uri /verify
                copy_headers X-User X-Groups
              }
              reverse_proxy {$BACKEND_ADDR}
            }

            log {
              output stdout
              format json
            }
          }
        EOF
      }

      template {
        destination = "local/gateway.env"
        env         = true
        change_mode = "noop"
        data        = <<-EOF
          BACKEND_ADDR=app.example.org:443
          LOG_LEVEL=info
          GATEWAY_REGION=home
        EOF
      }

      env {
        AUTH_ADDR   = "${NOMAD_UPSTREAM_ADDR_auth}"
        LISTEN_ADDR = "${NOMAD_ADDR_http}"
      }

      resources {
        cpu        = 100
        memory     = 64
        memory_max = 128
      }
    }
  }
}

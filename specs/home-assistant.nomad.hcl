# Home automation on the node's own network, so it finds devices by mDNS and
# SSDP, pinned to the node its configuration lives on.
job "home-assistant" {
  datacenters = ["home"]

  group "home-assistant" {
    constraint {
      attribute = "${attr.unique.hostname}"
      value     = "node-b"
    }

    network {
      port "http" {
        static = 8123
      }
    }

    volume "config" {
      type   = "host"
      source = "home-assistant-config"
    }

    service {
      name = "home-assistant"
      port = "http"

      tags = [
        "traefik.enable=true",
        "traefik.http.routers.home.rule=Host(`home.example.org`)",
      ]

      check {
        type     = "http"
        path     = "/manifest.json"
        interval = "30s"
        timeout  = "5s"
      }
    }

    task "home-assistant" {
      driver = "docker"

      config {
        image        = "ghcr.io/home-assistant/home-assistant:2026.11.1"
        network_mode = "host"
        ports        = ["http"]
        privileged   = true

        # Local time, the Zigbee stick, the node's D-Bus (for Bluetooth) and its USB
        # drives, including those plugged in after the container started.
        volumes = [
          "/etc/localtime:/etc/localtime:ro",
          "/dev/ttyACM0:/dev/ttyACM0",
          "/media:/media:ro,rslave",
        ]

        mount {
          type     = "bind"
          source   = "/run/dbus/system_bus_socket"
          target   = "/run/dbus/system_bus_socket"
          readonly = true
        }
      }

      env {
        TZ = "Europe/Berlin"
      }

      volume_mount {
        volume      = "config"
        destination = "/config"
      }

      resources {
        cpu    = 500
        memory = 1024
      }
    }
  }
}

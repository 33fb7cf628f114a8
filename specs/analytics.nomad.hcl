# Web analytics whose version and domain come from the root Terraform, as
# `nomad job run -var` passed them: variables without a default become
# required inputs of the module, variables with one become inputs with it.
variable "app_version" {
  type        = string
  description = "Release of the analytics image."
}

variable "domain" {
  type        = string
  description = "Domain the tracked sites live under."
}

variable "admin_email" {
  type = string
}

variable "log_level" {
  type    = string
  default = "info"
}

variable "replicas" {
  type    = number
  default = 2
}

job "analytics" {
  datacenters = ["home"]

  group "analytics" {
    # A count decides the workload: the generator writes the default itself.
    count = var.replicas

    network {
      mode = "bridge"
      port "http" {
        to = 8000
      }
    }

    service {
      name = "analytics"
      port = "http"

      tags = [
        "traefik.enable=true",
        "traefik.http.routers.analytics.rule=Host(`stats.example.org`)",
      ]
    }

    task "analytics" {
      driver = "docker"

      config {
        image = "ghcr.io/example/analytics:${var.app_version}"
        ports = ["http"]
        args  = ["--admin", format("mailto:%s", lower(var.admin_email))]
      }

      env {
        BASE_URL        = "https://stats.${var.domain}/"
        ALLOWED_DOMAINS = join(",", [var.domain, "www.${var.domain}"])
        LOG_LEVEL       = upper(var.log_level)
      }

      resources {
        cpu    = 200
        memory = 256
      }
    }
  }
}

locals {
  app_name = "dns-filter"
  labels = {
    app         = local.app_name
    managed-by  = "terraform"
    environment = "prod"
  }
}

resource "kubernetes_deployment" "app" {
  metadata {
    name      = local.app_name
    namespace = var.namespace
    labels    = local.labels
  }

  spec {
    replicas = 1

    selector {
      match_labels = {
        app = local.app_name
      }
    }

    strategy {
      type = "RollingUpdate"

      rolling_update {
        max_surge       = "0"
        max_unavailable = "1"
      }
    }

    template {
      metadata {
        labels = local.labels
      }

      spec {
        affinity {
          node_affinity {
            required_during_scheduling_ignored_during_execution {
              node_selector_term {
                match_expressions {
                  key      = "kubernetes.io/arch"
                  operator = "In"
                  values   = ["amd64", "arm64"]
                }
              }
            }
          }
        }

        container {
          name  = "resolver"
          image = "spx01/blocky:${var.image_tag}"

          port {
            name           = "dns"
            container_port = 53
            host_port      = 53
          }

          port {
            name           = "dns-udp"
            container_port = 53
            host_port      = 53
            protocol       = "UDP"
          }

          port {
            name           = "api"
            container_port = 4000
          }

          env {
            name  = "BLOCKY_CONFIG_FILE"
            value = "/config/config.yml"
          }

          resources {
            requests = {
              cpu    = "200m"
              memory = "128Mi"
            }
            limits = {
              memory = "128Mi"
            }
          }

          liveness_probe {
            http_get {
              path = "/api/blocking/status"
              port = "api"
            }
            initial_delay_seconds = 30
            period_seconds        = 10
            failure_threshold     = 3
            timeout_seconds       = 2
          }

          readiness_probe {
            tcp_socket {
              port = "dns"
            }
            period_seconds  = 30
            timeout_seconds = 2
          }

          volume_mount {
            name       = "resolver-config"
            mount_path = "/config/config.yml"
            sub_path   = "config.yml"
            read_only  = true
          }

          volume_mount {
            name       = "alloc"
            mount_path = "/alloc"
          }

          volume_mount {
            name       = "alloc"
            mount_path = "/logs"
            sub_path   = "logs"
          }

          volume_mount {
            name       = "local-resolver"
            mount_path = "/config"
          }
        }

        volume {
          name = "alloc"
          empty_dir {
          }
        }

        volume {
          name = "resolver-config"
          config_map {
            name = kubernetes_config_map.app_resolver.metadata[0].name
            items {
              key  = "config.yml"
              path = "config.yml"
            }
          }
        }

        volume {
          name = "local-resolver"
          empty_dir {
          }
        }
      }
    }
  }
}

resource "kubernetes_config_map" "app_resolver" {
  metadata {
    name      = "${local.app_name}-resolver-config"
    namespace = var.namespace
    labels    = local.labels
  }

  data = {
    "config.yml" = <<-EOT
      upstreams:
        groups:
          default: [https://dns.quad9.net/dns-query]
      ports:
        dns: 53
        http: 4000
      queryLog:
        type: csv
        target: /logs
    EOT
  }
}

resource "kubernetes_service" "app" {
  metadata {
    name      = local.app_name
    namespace = var.namespace
    labels    = local.labels
  }

  spec {
    selector = {
      app = local.app_name
    }

    port {
      name        = "dns"
      port        = 53
      target_port = "dns"
    }

    port {
      name        = "dns-udp"
      port        = 53
      target_port = "dns-udp"
      protocol    = "UDP"
    }

    port {
      name        = "api"
      port        = 80
      target_port = "api"
    }
  }
}

resource "kubernetes_ingress_v1" "app" {
  metadata {
    name      = local.app_name
    namespace = var.namespace
    labels    = local.labels
    annotations = {
      "traefik.ingress.kubernetes.io/router.entrypoints" = "websecure"
      "traefik.ingress.kubernetes.io/router.tls"         = "true"
    }
  }

  spec {
    ingress_class_name = "traefik"

    tls {
      hosts       = [var.hostname]
      secret_name = "wildcard-example-org-tls"
    }

    rule {
      host = var.hostname
      http {
        path {
          path      = "/"
          path_type = "Prefix"
          backend {
            service {
              name = kubernetes_service.app.metadata[0].name
              port {
                name = "api"
              }
            }
          }
        }
      }
    }
  }
}

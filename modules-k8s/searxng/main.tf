locals {
  app_name = "searxng"
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
    replicas                  = 2
    min_ready_seconds         = 10
    progress_deadline_seconds = 300

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
        termination_grace_period_seconds = 20

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
          name  = "searxng"
          image = "docker.io/searxng/searxng:${var.image_tag}"

          port {
            name           = "http"
            container_port = 8080
          }

          env {
            name  = "SEARXNG_BASE_URL"
            value = "https://search.example.org/"
          }

          env {
            name  = "SEARXNG_VALKEY_URL"
            value = coalesce(var.valkey_url, "valkey://valkey.${var.namespace}.svc.cluster.local:6379/1")
          }

          env {
            name  = "SEARXNG_PORT"
            value = "8080"
          }

          resources {
            requests = {
              cpu    = "200m"
              memory = "256Mi"
            }
            limits = {
              memory = "512Mi"
              cpu    = "500m"
            }
          }

          liveness_probe {
            http_get {
              path = "/healthz"
              port = "http"
            }
            initial_delay_seconds = 10
            period_seconds        = 30
            failure_threshold     = 3
            timeout_seconds       = 3
          }

          readiness_probe {
            http_get {
              path = "/healthz"
              port = "http"
            }
            period_seconds = 15
          }

          volume_mount {
            name       = "settings"
            mount_path = "/etc/searxng"
            read_only  = true
          }

          volume_mount {
            name       = "local-searxng"
            mount_path = "/var/cache/searxng"
            sub_path   = "cache"
          }
        }

        volume {
          name = "settings"
          host_path {
            path = "/storage/v/glusterfs_searxng_settings"
            type = "Directory"
          }
        }

        volume {
          name = "local-searxng"
          empty_dir {
          }
        }
      }
    }
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
    type = "NodePort"

    port {
      name        = "http"
      port        = 80
      target_port = "http"
      node_port   = 30900
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
                name = "http"
              }
            }
          }
        }
      }
    }
  }
}

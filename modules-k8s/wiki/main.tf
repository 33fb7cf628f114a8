locals {
  app_name = "wiki"
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
    replicas          = 1
    min_ready_seconds = 30

    selector {
      match_labels = {
        app = local.app_name
      }
    }

    strategy {
      type = "Recreate"
    }

    template {
      metadata {
        labels = local.labels
      }

      spec {
        termination_grace_period_seconds = 15
        node_selector = {
          "kubernetes.io/hostname" = "node-a"
        }

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
          name  = "wiki"
          image = "docker.io/redimp/otterwiki:${var.image_tag}"

          port {
            name           = "http"
            container_port = 8080
          }

          env {
            name  = "SITE_NAME"
            value = "Example Wiki"
          }

          env {
            name  = "SITE_URL"
            value = "https://wiki.example.org"
          }

          env {
            name  = "READ_ACCESS"
            value = "APPROVED"
          }

          env {
            name  = "WRITE_ACCESS"
            value = "APPROVED"
          }

          env {
            name  = "MAX_CONTENT_LENGTH"
            value = "64"
          }

          resources {
            requests = {
              cpu    = "150m"
              memory = "192Mi"
            }
            limits = {
              memory = "384Mi"
            }
          }

          readiness_probe {
            http_get {
              path = "/-/healthz"
              port = "http"
            }
            period_seconds  = 20
            timeout_seconds = 4
          }

          volume_mount {
            name       = "data"
            mount_path = "/app-data"
          }

          volume_mount {
            name       = "uploads"
            mount_path = "/app-data/uploads"
          }
        }

        volume {
          name = "data"
          host_path {
            path = "/storage/v/glusterfs_wiki_data"
            type = "Directory"
          }
        }

        volume {
          name = "uploads"
          host_path {
            path = "/srv/wiki/uploads"
            type = "Directory"
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

    port {
      name        = "http"
      port        = 80
      target_port = "http"
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

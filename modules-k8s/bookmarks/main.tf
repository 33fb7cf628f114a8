locals {
  app_name = "bookmarks"
  labels = {
    app         = local.app_name
    managed-by  = "terraform"
    environment = "prod"
  }
}

resource "kubernetes_stateful_set" "app" {
  metadata {
    name      = local.app_name
    namespace = var.namespace
    labels    = local.labels
  }

  spec {
    replicas     = 1
    service_name = "${local.app_name}-headless"

    selector {
      match_labels = {
        app = local.app_name
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

        init_container {
          name  = "litestream-restore"
          image = "litestream/litestream:${var.litestream_image_tag}"
          args = [
            "restore",
            "-if-db-not-exists",
            "-if-replica-exists",
            "-config",
            "/local/litestream.yml",
            "/alloc/data/app.db",
          ]

          env {
            name = "S3_ACCESS_KEY"
            value_from {
              secret_key_ref {
                name = "${local.app_name}-secrets"
                key  = "S3_ACCESS_KEY"
              }
            }
          }

          env {
            name = "S3_SECRET_KEY"
            value_from {
              secret_key_ref {
                name = "${local.app_name}-secrets"
                key  = "S3_SECRET_KEY"
              }
            }
          }

          resources {
            requests = {
              cpu    = "50m"
              memory = "64Mi"
            }
            limits = {
              memory = "64Mi"
            }
          }

          volume_mount {
            name       = "litestream-restore-config"
            mount_path = "/local/litestream.yml"
            sub_path   = "litestream.yml"
            read_only  = true
          }

          volume_mount {
            name       = "alloc"
            mount_path = "/alloc"
          }

          volume_mount {
            name       = "local-litestream-restore"
            mount_path = "/local"
          }
        }

        container {
          name  = "litestream"
          image = "litestream/litestream:${var.litestream_image_tag}"
          args  = ["replicate", "-config", "/local/litestream.yml"]

          env {
            name = "S3_ACCESS_KEY"
            value_from {
              secret_key_ref {
                name = "${local.app_name}-secrets"
                key  = "S3_ACCESS_KEY"
              }
            }
          }

          env {
            name = "S3_SECRET_KEY"
            value_from {
              secret_key_ref {
                name = "${local.app_name}-secrets"
                key  = "S3_SECRET_KEY"
              }
            }
          }

          resources {
            requests = {
              cpu               = "50m"
              memory            = "64Mi"
              ephemeral-storage = "500Mi"
            }
            limits = {
              memory = "128Mi"
            }
          }

          volume_mount {
            name       = "litestream-config"
            mount_path = "/local/litestream.yml"
            sub_path   = "litestream.yml"
            read_only  = true
          }

          volume_mount {
            name       = "alloc"
            mount_path = "/alloc"
          }

          volume_mount {
            name       = "local-litestream"
            mount_path = "/local"
          }
        }

        container {
          name  = "bookmarks"
          image = "ghcr.io/example/linkding:${var.image_tag}"

          port {
            name           = "http"
            container_port = 9090
          }

          env {
            name  = "LD_SERVER_PORT"
            value = "9090"
          }

          env {
            name  = "LD_DB_ENGINE"
            value = "sqlite"
          }

          env {
            name  = "LD_DISABLE_SIGNUP"
            value = "true"
          }

          env {
            name  = "TZ"
            value = "Europe/London"
          }

          resources {
            requests = {
              cpu    = "200m"
              memory = "256Mi"
            }
            limits = {
              memory = "384Mi"
            }
          }

          readiness_probe {
            http_get {
              path = "/api/health"
              port = "http"
            }
            period_seconds  = 30
            timeout_seconds = 5
          }

          volume_mount {
            name       = "alloc"
            mount_path = "/etc/linkding/data"
            sub_path   = "data"
          }

          volume_mount {
            name       = "alloc"
            mount_path = "/alloc"
          }
        }

        volume {
          name = "litestream-restore-config"
          config_map {
            name = kubernetes_config_map.app_litestream_restore.metadata[0].name
            items {
              key  = "litestream.yml"
              path = "litestream.yml"
            }
          }
        }

        volume {
          name = "alloc"
          empty_dir {
          }
        }

        volume {
          name = "local-litestream-restore"
          empty_dir {
          }
        }

        volume {
          name = "litestream-config"
          config_map {
            name = kubernetes_config_map.app_litestream.metadata[0].name
            items {
              key  = "litestream.yml"
              path = "litestream.yml"
            }
          }
        }

        volume {
          name = "local-litestream"
          empty_dir {
          }
        }
      }
    }
  }
}

resource "kubernetes_config_map" "app_litestream_restore" {
  metadata {
    name      = "${local.app_name}-litestream-restore-config"
    namespace = var.namespace
    labels    = local.labels
  }

  data = {
    "litestream.yml" = <<-EOT
      dbs:
        - path: /alloc/data/app.db
          replicas:
            - type: s3
              bucket: ${var.litestream_bucket}
              path: app.db
              endpoint: ${var.minio_endpoint}
              force-path-style: true

              access-key-id: $${S3_ACCESS_KEY}
              secret-access-key: $${S3_SECRET_KEY}

    EOT
  }
}

resource "kubernetes_config_map" "app_litestream" {
  metadata {
    name      = "${local.app_name}-litestream-config"
    namespace = var.namespace
    labels    = local.labels
  }

  data = {
    "litestream.yml" = <<-EOT
      dbs:
        - path: /alloc/data/app.db
          replicas:
            - type: s3
              bucket: ${var.litestream_bucket}
              path: app.db
              endpoint: ${var.minio_endpoint}
              force-path-style: true
              sync-interval: 10s

              access-key-id: $${S3_ACCESS_KEY}
              secret-access-key: $${S3_SECRET_KEY}

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
      name        = "http"
      port        = 80
      target_port = "http"
    }
  }
}

resource "kubernetes_service" "app_headless" {
  metadata {
    name      = "${local.app_name}-headless"
    namespace = var.namespace
    labels    = local.labels
  }

  spec {
    cluster_ip                  = "None"
    publish_not_ready_addresses = true
    selector = {
      app = local.app_name
    }

    port {
      name        = "http"
      port        = 9090
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

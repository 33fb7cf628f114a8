locals {
  app_name = "notes"
  labels = {
    app         = local.app_name
    managed-by  = "terraform"
    environment = "prod"
  }
}

resource "kubernetes_deployment" "web" {
  metadata {
    name      = "${local.app_name}-web"
    namespace = var.namespace
    labels    = merge(local.labels, { component = "web" })
  }

  spec {
    replicas = 2

    selector {
      match_labels = {
        app       = local.app_name
        component = "web"
      }
    }

    template {
      metadata {
        labels = merge(local.labels, { component = "web" })
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
          name  = "web"
          image = "ghcr.io/example/notes:${var.image_tag}"

          port {
            name           = "http"
            container_port = 3000
          }

          env {
            name  = "PORT"
            value = "3000"
          }

          env {
            name  = "PUBLIC_URL"
            value = "https://notes.example.org"
          }

          env {
            name  = "NODE_ENV"
            value = "production"
          }

          env {
            name = "DATABASE_URL"
            value_from {
              secret_key_ref {
                name = "${local.app_name}-secrets"
                key  = "DATABASE_URL"
              }
            }
          }

          env {
            name  = "REDIS_URL"
            value = "redis://notes-redis.${var.namespace}.svc.cluster.local:6379"
          }

          resources {
            requests = {
              cpu    = "200m"
              memory = "256Mi"
            }
            limits = {
              memory = "512Mi"
            }
          }

          readiness_probe {
            http_get {
              path = "/api/health"
              port = "http"
            }
            period_seconds  = 15
            timeout_seconds = 3
          }
        }
      }
    }
  }
}

resource "kubernetes_deployment" "postgres" {
  metadata {
    name      = "${local.app_name}-postgres"
    namespace = var.namespace
    labels    = merge(local.labels, { component = "postgres" })
  }

  spec {
    replicas = 1

    selector {
      match_labels = {
        app       = local.app_name
        component = "postgres"
      }
    }

    strategy {
      type = "Recreate"
    }

    template {
      metadata {
        labels = merge(local.labels, { component = "postgres" })
      }

      spec {
        termination_grace_period_seconds = 30

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
          name  = "postgres"
          image = "docker.io/library/postgres:${var.postgres_image_tag}"

          port {
            name           = "db"
            container_port = 5432
          }

          env {
            name  = "POSTGRES_DB"
            value = "notes"
          }

          env {
            name  = "PGDATA"
            value = "/var/lib/postgresql/data/pgdata"
          }

          env {
            name = "POSTGRES_USER"
            value_from {
              secret_key_ref {
                name = "${local.app_name}-secrets"
                key  = "username"
              }
            }
          }

          env {
            name = "POSTGRES_PASSWORD"
            value_from {
              secret_key_ref {
                name = "${local.app_name}-secrets"
                key  = "password"
              }
            }
          }

          resources {
            requests = {
              cpu    = "250m"
              memory = "384Mi"
            }
            limits = {
              memory = "768Mi"
            }
          }

          readiness_probe {
            tcp_socket {
              port = "db"
            }
            period_seconds  = 10
            timeout_seconds = 2
          }

          volume_mount {
            name       = "pgdata"
            mount_path = "/var/lib/postgresql/data"
          }
        }

        volume {
          name = "pgdata"
          host_path {
            path = "/storage/v/glusterfs_notes_postgres"
            type = "Directory"
          }
        }
      }
    }
  }
}

resource "kubernetes_deployment" "redis" {
  metadata {
    name      = "${local.app_name}-redis"
    namespace = var.namespace
    labels    = merge(local.labels, { component = "redis" })
  }

  spec {
    replicas = 1

    selector {
      match_labels = {
        app       = local.app_name
        component = "redis"
      }
    }

    template {
      metadata {
        labels = merge(local.labels, { component = "redis" })
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
          name  = "redis"
          image = "docker.io/library/redis:${var.redis_image_tag}"
          args  = ["redis-server", "--save", "", "--appendonly", "no", "--maxmemory", "64mb"]

          port {
            name           = "redis"
            container_port = 6379
          }

          resources {
            requests = {
              cpu    = "100m"
              memory = "96Mi"
            }
            limits = {
              memory = "96Mi"
            }
          }

          readiness_probe {
            tcp_socket {
              port = "redis"
            }
            period_seconds  = 10
            timeout_seconds = 2
          }
        }
      }
    }
  }
}

resource "kubernetes_service" "web" {
  metadata {
    name      = "${local.app_name}-web"
    namespace = var.namespace
    labels    = local.labels
  }

  spec {
    selector = {
      app       = local.app_name
      component = "web"
    }

    port {
      name        = "http"
      port        = 80
      target_port = "http"
    }
  }
}

resource "kubernetes_service" "postgres" {
  metadata {
    name      = "${local.app_name}-postgres"
    namespace = var.namespace
    labels    = local.labels
  }

  spec {
    selector = {
      app       = local.app_name
      component = "postgres"
    }

    port {
      name        = "db"
      port        = 5432
      target_port = "db"
    }
  }
}

resource "kubernetes_service" "redis" {
  metadata {
    name      = "${local.app_name}-redis"
    namespace = var.namespace
    labels    = local.labels
  }

  spec {
    selector = {
      app       = local.app_name
      component = "redis"
    }

    port {
      name        = "redis"
      port        = 6379
      target_port = "redis"
    }
  }
}

resource "kubernetes_ingress_v1" "web" {
  metadata {
    name      = "${local.app_name}-web"
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
              name = kubernetes_service.web.metadata[0].name
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

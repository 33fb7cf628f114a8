locals {
  app_name = "home-assistant"
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
      type = "Recreate"
    }

    template {
      metadata {
        labels = local.labels
      }

      spec {
        host_network = true
        dns_policy   = "ClusterFirstWithHostNet"
        node_selector = {
          "kubernetes.io/hostname" = "node-b"
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
          name  = "home-assistant"
          image = "ghcr.io/home-assistant/home-assistant:${var.image_tag}"

          port {
            name           = "http"
            container_port = 8123
          }

          env {
            name  = "TZ"
            value = "Europe/Berlin"
          }

          resources {
            requests = {
              cpu    = "500m"
              memory = "1024Mi"
            }
            limits = {
              memory = "1024Mi"
            }
          }

          readiness_probe {
            http_get {
              path = "/manifest.json"
              port = "http"
            }
            period_seconds  = 30
            timeout_seconds = 5
          }

          volume_mount {
            name       = "config"
            mount_path = "/config"
          }

          volume_mount {
            name       = "host-etc-localtime"
            mount_path = "/etc/localtime"
            read_only  = true
          }

          volume_mount {
            name       = "host-dev-ttyacm0"
            mount_path = "/dev/ttyACM0"
          }

          volume_mount {
            name              = "host-media"
            mount_path        = "/media"
            read_only         = true
            mount_propagation = "HostToContainer"
          }

          volume_mount {
            name       = "host-run-dbus-system-bus-socket"
            mount_path = "/run/dbus/system_bus_socket"
            read_only  = true
          }

          security_context {
            privileged = true
          }
        }

        volume {
          name = "config"
          host_path {
            path = "/srv/home-assistant"
            type = "Directory"
          }
        }

        volume {
          name = "host-etc-localtime"
          host_path {
            path = "/etc/localtime"
            type = "File"
          }
        }

        volume {
          name = "host-dev-ttyacm0"
          host_path {
            path = "/dev/ttyACM0"
            type = "CharDevice"
          }
        }

        volume {
          name = "host-media"
          host_path {
            path = "/media"
            type = "DirectoryOrCreate"
          }
        }

        volume {
          name = "host-run-dbus-system-bus-socket"
          host_path {
            path = "/run/dbus/system_bus_socket"
            type = "Socket"
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

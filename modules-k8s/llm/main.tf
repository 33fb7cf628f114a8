locals {
  app_name = "llm"
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

    template {
      metadata {
        labels = local.labels
      }

      spec {
        termination_grace_period_seconds = 30
        node_selector = {
          "kubernetes.io/arch" = "amd64"
        }

        container {
          name  = "server"
          image = "nvcr.io/nvidia/tritonserver:${var.image_tag}"
          args  = ["tritonserver", "--model-repository=/models", "--http-port=8000", "--grpc-port=8001"]

          port {
            name           = "http"
            container_port = 8000
          }

          port {
            name           = "grpc"
            container_port = 8001
          }

          env {
            name  = "NVIDIA_DRIVER_CAPABILITIES"
            value = "compute,utility"
          }

          resources {
            requests = {
              cpu    = "2000m"
              memory = "8192Mi"
            }
            limits = {
              memory           = "12288Mi"
              "nvidia.com/gpu" = 1
            }
          }

          readiness_probe {
            tcp_socket {
              port = "http"
            }
            period_seconds  = 10
            timeout_seconds = 2
          }

          volume_mount {
            name       = "models"
            mount_path = "/models"
            read_only  = true
          }

          volume_mount {
            name       = "shm-server"
            mount_path = "/dev/shm"
          }
        }

        volume {
          name = "models"
          host_path {
            path = "/storage/v/glusterfs_llm_models"
            type = "Directory"
          }
        }

        volume {
          name = "shm-server"
          empty_dir {
            medium     = "Memory"
            size_limit = "1024Mi"
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

    port {
      name        = "grpc"
      port        = 8001
      target_port = "grpc"
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

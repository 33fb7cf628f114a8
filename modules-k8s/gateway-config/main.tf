locals {
  app_name = "gateway-config"
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
    replicas = 2

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

        container {
          name  = "caddy"
          image = "docker.io/library/caddy:${var.image_tag}"
          args  = ["caddy", "run", "--config", "/local/Caddyfile", "--adapter", "caddyfile"]

          port {
            name           = "http"
            container_port = 8080
          }

          env {
            name = "POD_IP"
            value_from {
              field_ref {
                field_path = "status.podIP"
              }
            }
          }

          env {
            name  = "AUTH_ADDR"
            value = "auth.${var.namespace}.svc.cluster.local:8080"
          }

          env {
            name  = "LISTEN_ADDR"
            value = "$(POD_IP):8080"
          }

          env {
            name  = "BACKEND_ADDR"
            value = "app.example.org:443"
          }

          env {
            name  = "LOG_LEVEL"
            value = "info"
          }

          env {
            name  = "GATEWAY_REGION"
            value = "home"
          }

          resources {
            requests = {
              cpu    = "100m"
              memory = "64Mi"
            }
            limits = {
              memory = "128Mi"
            }
          }

          readiness_probe {
            http_get {
              path = "/healthz"
              port = "http"
            }
            period_seconds  = 10
            timeout_seconds = 2
          }

          volume_mount {
            name       = "caddy-config"
            mount_path = "/local/Caddyfile"
            sub_path   = "Caddyfile"
            read_only  = true
          }

          volume_mount {
            name       = "local-caddy"
            mount_path = "/local"
          }
        }

        volume {
          name = "caddy-config"
          config_map {
            name = kubernetes_config_map.app_caddy.metadata[0].name
            items {
              key  = "Caddyfile"
              path = "Caddyfile"
              mode = "0640"
            }
          }
        }

        volume {
          name = "local-caddy"
          empty_dir {
          }
        }
      }
    }
  }
}

resource "kubernetes_config_map" "app_caddy" {
  metadata {
    name      = "${local.app_name}-caddy-config"
    namespace = var.namespace
    labels    = local.labels
  }

  data = {
    Caddyfile = <<-EOT
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

resource "kubernetes_ingress_v1" "app" {
  metadata {
    name      = local.app_name
    namespace = var.namespace
    labels    = local.labels
    annotations = {
      "traefik.ingress.kubernetes.io/router.entrypoints" = "websecure"
      "traefik.ingress.kubernetes.io/router.tls"         = "true"
      "traefik.ingress.kubernetes.io/router.middlewares" = "${var.namespace}-${local.app_name}-gateway-strip@kubernetescrd"
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
          path      = "/v1"
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

        path {
          path      = "/health"
          path_type = "Exact"
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

    rule {
      http {
        path {
          path      = "/.well-known/gateway"
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

resource "kubectl_manifest" "middleware_gateway_strip" {
  yaml_body = yamlencode({
    apiVersion = "traefik.io/v1alpha1"
    kind       = "Middleware"
    metadata = {
      name      = "${local.app_name}-gateway-strip"
      namespace = var.namespace
      labels    = local.labels
    }
    spec = {
      stripPrefix = {
        prefixes = ["/v1"]
      }
    }
  })
}

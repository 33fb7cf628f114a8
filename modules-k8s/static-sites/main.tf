locals {
  app_name = "static-sites"
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
        max_surge       = "1"
        max_unavailable = "0"
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
          name  = "nginx"
          image = "nginx:${var.image_tag}"

          port {
            name           = "http"
            container_port = 80
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

          readiness_probe {
            http_get {
              path = "/health"
              port = "http"
            }
            period_seconds  = 30
            timeout_seconds = 5
          }

          volume_mount {
            name       = "nginx-config"
            mount_path = "/etc/nginx/nginx.conf"
            sub_path   = "nginx.conf"
            read_only  = true
          }

          volume_mount {
            name       = "sites"
            mount_path = "/srv/sites"
            read_only  = true
          }
        }

        container {
          name  = "php"
          image = "php:${var.php_image_tag}"

          resources {
            requests = {
              cpu    = "100m"
              memory = "96Mi"
            }
            limits = {
              memory = "192Mi"
            }
          }

          volume_mount {
            name       = "sites"
            mount_path = "/srv/sites"
            read_only  = true
          }

          security_context {
            run_as_user  = "82"
            run_as_group = "82"
          }
        }

        volume {
          name = "sites"
          host_path {
            path = "/storage/v/glusterfs_static_sites_code"
            type = "Directory"
          }
        }

        volume {
          name = "nginx-config"
          config_map {
            name = kubernetes_config_map.app_nginx.metadata[0].name
            items {
              key  = "nginx.conf"
              path = "nginx.conf"
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_config_map" "app_nginx" {
  metadata {
    name      = "${local.app_name}-nginx-config"
    namespace = var.namespace
    labels    = local.labels
  }

  data = {
    "nginx.conf" = <<-EOT
      worker_processes auto;
      events { worker_connections 1024; }
      http {
        include /etc/nginx/mime.types;
        server {
          listen 80 default_server;
          root /srv/sites/$host;
          location = /health { return 200 "OK"; }
          location ~ \.php$ { fastcgi_pass 127.0.0.1:9000; include fastcgi_params; }
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
    }
  }

  spec {
    ingress_class_name = "traefik"

    tls {
      hosts       = var.hostnames
      secret_name = "wildcard-example-org-tls"
    }

    dynamic "rule" {
      for_each = toset(var.hostnames)
      content {
        host = rule.value
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
}

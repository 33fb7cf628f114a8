locals {
  app_name = "ci-runner"
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
        termination_grace_period_seconds = 60
        node_selector = {
          "kubernetes.io/os" = "linux"
        }

        affinity {
          node_affinity {
            required_during_scheduling_ignored_during_execution {
              node_selector_term {
                match_expressions {
                  key      = "kubernetes.io/hostname"
                  operator = "NotIn"
                  values   = ["nas"]
                }

                match_expressions {
                  key      = "kubernetes.io/arch"
                  operator = "In"
                  values   = ["amd64", "arm64"]
                }
              }
            }
          }

          pod_anti_affinity {
            required_during_scheduling_ignored_during_execution {
              topology_key = "kubernetes.io/hostname"

              label_selector {
                match_labels = {
                  app = local.app_name
                }
              }
            }
          }
        }

        host_aliases {
          ip        = "192.168.1.20"
          hostnames = ["git.example.org"]
        }

        container {
          name  = "dind"
          image = "docker.io/library/docker:${var.docker_image_tag}"
          args  = ["--host=tcp://127.0.0.1:2375", "--tls=false", "--mtu=1400"]

          env {
            name  = "DOCKER_TLS_CERTDIR"
            value = ""
          }

          resources {
            requests = {
              cpu    = "1000m"
              memory = "1024Mi"
            }
            limits = {
              memory = "4096Mi"
            }
          }

          security_context {
            privileged = true

            capabilities {
              add = ["NET_ADMIN"]
            }
          }
        }

        container {
          name  = "runner"
          image = "docker.io/gitlab/gitlab-runner:${var.image_tag}"
          args = [
            "run",
            "--working-directory",
            "/home/gitlab-runner",
            "--config",
            "/etc/runner/config.toml",
          ]

          env {
            name  = "DOCKER_HOST"
            value = "tcp://127.0.0.1:2375"
          }

          resources {
            requests = {
              cpu    = "200m"
              memory = "256Mi"
            }
            limits = {
              memory = "256Mi"
            }
          }

          volume_mount {
            name       = "secrets"
            mount_path = "/etc/runner/config.toml"
            sub_path   = "config.toml"
            read_only  = true
          }

          security_context {
            run_as_user                = "1000"
            allow_privilege_escalation = false

            capabilities {
              drop = ["ALL"]
            }
          }
        }

        volume {
          name = "secrets"
          secret {
            secret_name = "${local.app_name}-secrets"
            items {
              key  = "config.toml"
              path = "config.toml"
            }
          }
        }
      }
    }
  }
}

locals {
  app_name = "nightly-backup"
  labels = {
    app         = local.app_name
    managed-by  = "terraform"
    environment = "prod"
  }
}

resource "kubernetes_cron_job_v1" "app" {
  metadata {
    name      = local.app_name
    namespace = var.namespace
    labels    = local.labels
  }

  spec {
    schedule           = var.schedule
    concurrency_policy = "Forbid"
    timezone           = "Europe/London"

    job_template {
      metadata {
        labels = local.labels
      }

      spec {
        backoff_limit = 5

        template {
          metadata {
            labels = local.labels
          }

          spec {
            restart_policy = "OnFailure"
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
              name    = "restic"
              image   = "docker.io/restic/restic:${var.image_tag}"
              command = ["/bin/sh", "-c"]
              args = [
                "restic snapshots >/dev/null 2>&1 || restic init; restic backup /srv --tag nightly --exclude-caches && restic forget --keep-daily 7 --keep-weekly 4 --prune && wget -q -O /dev/null \"$HEALTHCHECK_URL\"",
              ]

              env {
                name  = "RESTIC_CACHE_DIR"
                value = "/local/cache"
              }

              env {
                name  = "TZ"
                value = "Europe/London"
              }

              env {
                name = "RESTIC_PASSWORD"
                value_from {
                  secret_key_ref {
                    name = "${local.app_name}-secrets"
                    key  = "password"
                  }
                }
              }

              env {
                name = "RESTIC_REPOSITORY"
                value_from {
                  secret_key_ref {
                    name = "${local.app_name}-secrets"
                    key  = "RESTIC_REPOSITORY"
                  }
                }
              }

              env {
                name = "AWS_ACCESS_KEY_ID"
                value_from {
                  secret_key_ref {
                    name = "${local.app_name}-secrets"
                    key  = "access_key"
                  }
                }
              }

              env {
                name = "AWS_SECRET_ACCESS_KEY"
                value_from {
                  secret_key_ref {
                    name = "${local.app_name}-secrets"
                    key  = "secret_key"
                  }
                }
              }

              env {
                name = "HEALTHCHECK_URL"
                value_from {
                  secret_key_ref {
                    name = "${local.app_name}-secrets"
                    key  = "url"
                  }
                }
              }

              resources {
                requests = {
                  cpu    = "500m"
                  memory = "512Mi"
                }
                limits = {
                  memory = "1024Mi"
                }
              }

              volume_mount {
                name       = "host-srv"
                mount_path = "/srv"
                read_only  = true
              }

              volume_mount {
                name       = "local-restic"
                mount_path = "/local"
              }
            }

            volume {
              name = "host-srv"
              host_path {
                path = "/srv"
                type = "DirectoryOrCreate"
              }
            }

            volume {
              name = "local-restic"
              empty_dir {
              }
            }
          }
        }
      }
    }
  }
}

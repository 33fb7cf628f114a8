resource "kubectl_manifest" "external_secret" {
  yaml_body = yamlencode({
    apiVersion = "external-secrets.io/v1"
    kind       = "ExternalSecret"
    metadata = {
      name      = "${local.app_name}-secrets"
      namespace = var.namespace
    }
    spec = {
      refreshInterval = "1h"
      secretStoreRef = {
        name = "vault-backend"
        kind = "ClusterSecretStore"
      }
      target = {
        name = "${local.app_name}-secrets"
        template = {
          engineVersion = "v2"
          mergePolicy   = "Merge"
          data = {
            RESTIC_REPOSITORY = "s3:http://minio.storage.svc.cluster.local:9000/{{ .bucket }}"
          }
        }
      }
      data = [
        {
          secretKey = "access_key"
          remoteRef = {
            key      = "kv/data/backup/restic"
            property = "access_key"
          }
        },
        {
          secretKey = "bucket"
          remoteRef = {
            key      = "kv/data/backup/restic"
            property = "bucket"
          }
        },
        {
          secretKey = "password"
          remoteRef = {
            key      = "kv/data/backup/restic"
            property = "password"
          }
        },
        {
          secretKey = "secret_key"
          remoteRef = {
            key      = "kv/data/backup/restic"
            property = "secret_key"
          }
        },
        {
          secretKey = "url"
          remoteRef = {
            key      = "nomad/jobs/nightly-backup"
            property = "url"
          }
        },
      ]
    }
  })
}

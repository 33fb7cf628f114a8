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
            DATABASE_URL = "postgres://{{ .username }}:{{ .password }}@notes-postgres.${var.namespace}.svc.cluster.local:5432/notes?sslmode=disable"
          }
        }
      }
      data = [
        {
          secretKey = "password"
          remoteRef = {
            key      = "kv/data/notes/postgres"
            property = "password"
          }
        },
        {
          secretKey = "username"
          remoteRef = {
            key      = "kv/data/notes/postgres"
            property = "username"
          }
        },
      ]
    }
  })
}

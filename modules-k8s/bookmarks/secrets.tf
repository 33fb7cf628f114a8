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
      }
      data = [
        {
          secretKey = "S3_ACCESS_KEY"
          remoteRef = {
            key      = "kv/data/bookmarks"
            property = "S3_ACCESS_KEY"
          }
        },
        {
          secretKey = "S3_SECRET_KEY"
          remoteRef = {
            key      = "kv/data/bookmarks"
            property = "S3_SECRET_KEY"
          }
        },
      ]
    }
  })
}

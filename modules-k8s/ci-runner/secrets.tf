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
            "config.toml" = <<-EOT
              concurrent     = 2
              check_interval = 10

              [[runners]]
                name     = "home-runner"
                url      = "https://git.example.org"
                token    = "{{ .token }}"
                executor = "docker"
                [runners.docker]
                  host       = "tcp://127.0.0.1:2375"
                  image      = "alpine:3.20"
                  privileged = false
                  volumes    = ["/cache"]
            EOT
          }
        }
      }
      data = [
        {
          secretKey = "token"
          remoteRef = {
            key      = "kv/data/ci"
            property = "token"
          }
        },
      ]
    }
  })
}

# Copied by nomad-k8s-gen from specs/searxng/network-policy.tf; change that file, not this one.
# A hand-written addition (specs/searxng/*.tf): nomad-k8s-gen copies it into the
# module and validates it with the generated files. Only the cluster's Traefik may
# open connections to searxng; what searxng opens itself (Valkey, the engines) is
# not restricted.
variable "ingress_namespace" {
  description = "Namespace of the Traefik that forwards requests to searxng."
  type        = string
  default     = "traefik"
}

resource "kubernetes_network_policy_v1" "app" {
  metadata {
    name      = local.app_name
    namespace = var.namespace
    labels    = local.labels
  }

  spec {
    pod_selector {
      match_labels = {
        app = local.app_name
      }
    }
    policy_types = ["Ingress"]

    ingress {
      from {
        namespace_selector {
          match_labels = {
            "kubernetes.io/metadata.name" = var.ingress_namespace
          }
        }
      }
      ports {
        port     = "http"
        protocol = "TCP"
      }
    }
  }
}

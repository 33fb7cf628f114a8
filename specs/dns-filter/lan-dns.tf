# A hand-written addition (specs/dns-filter/*.tf), copied into the module and
# validated with it. The LAN reaches the resolver through the cluster's load
# balancer, not through port 53 of whichever node runs the pod, so the spec's
# overrides remove the host ports Nomad's static port became.
variable "lan_dns_address" {
  description = "LAN address the load balancer announces for DNS (null: let it choose)."
  type        = string
  default     = null
}

resource "kubernetes_service" "lan_dns" {
  metadata {
    name      = "${local.app_name}-lan"
    namespace = var.namespace
    labels    = local.labels
  }

  spec {
    type             = "LoadBalancer"
    load_balancer_ip = var.lan_dns_address
    selector = {
      app = local.app_name
    }

    port {
      name        = "dns"
      port        = 53
      target_port = "dns"
    }

    port {
      name        = "dns-udp"
      port        = 53
      target_port = "dns-udp"
      protocol    = "UDP"
    }
  }
}

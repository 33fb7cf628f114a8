output "service_name" {
  description = "Name of the Service."
  value       = kubernetes_service.app.metadata[0].name
}

output "hostnames" {
  description = "Host names served by the Ingress."
  value       = var.hostnames
}

output "namespace" {
  description = "Namespace the module deploys into."
  value       = var.namespace
}

output "service_name" {
  description = "Name of the Service."
  value       = kubernetes_service.app.metadata[0].name
}

output "hostname" {
  description = "Host name served by the Ingress."
  value       = var.hostname
}

output "namespace" {
  description = "Namespace the module deploys into."
  value       = var.namespace
}

output "web_service_name" {
  description = "Name of the Service."
  value       = kubernetes_service.web.metadata[0].name
}

output "postgres_service_name" {
  description = "Name of the Service."
  value       = kubernetes_service.postgres.metadata[0].name
}

output "redis_service_name" {
  description = "Name of the Service."
  value       = kubernetes_service.redis.metadata[0].name
}

output "hostname" {
  description = "Host name served by the Ingress."
  value       = var.hostname
}

output "namespace" {
  description = "Namespace the module deploys into."
  value       = var.namespace
}

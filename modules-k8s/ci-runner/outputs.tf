output "namespace" {
  description = "Namespace the module deploys into."
  value       = var.namespace
}

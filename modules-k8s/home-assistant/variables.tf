variable "namespace" {
  description = "Namespace to deploy into."
  type        = string
  default     = "default"
}

variable "image_tag" {
  description = "Tag of the ghcr.io/home-assistant/home-assistant image."
  type        = string
  default     = "2026.11.1"
}

variable "hostname" {
  description = "Host name the Ingress serves."
  type        = string
  default     = "home.example.org"
}

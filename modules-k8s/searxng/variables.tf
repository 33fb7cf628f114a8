variable "namespace" {
  description = "Namespace to deploy into."
  type        = string
  default     = "default"
}

variable "image_tag" {
  description = "Tag of the docker.io/searxng/searxng image."
  type        = string
  default     = "2025.11.1-0245327fc"
}

variable "hostname" {
  description = "Host name the Ingress serves."
  type        = string
  default     = "search.example.org"
}

variable "valkey_url" {
  description = "Valkey URL"
  type        = string
  default     = null
}

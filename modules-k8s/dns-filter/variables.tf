variable "namespace" {
  description = "Namespace to deploy into."
  type        = string
  default     = "default"
}

variable "image_tag" {
  description = "Tag of the spx01/blocky image."
  type        = string
  default     = "v0.24"
}

variable "vector_image_tag" {
  description = "Tag of the timberio/vector image."
  type        = string
  default     = "0.41.1-alpine"
}

variable "hostname" {
  description = "Host name the Ingress serves."
  type        = string
  default     = "dns.example.org"
}

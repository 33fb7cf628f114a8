variable "namespace" {
  description = "Namespace to deploy into."
  type        = string
  default     = "default"
}

variable "image_tag" {
  description = "Tag of the docker.io/library/caddy image."
  type        = string
  default     = "2.8.4-alpine"
}

variable "hostname" {
  description = "Host name the Ingress serves."
  type        = string
  default     = "api.example.org"
}

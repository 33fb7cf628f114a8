variable "namespace" {
  description = "Namespace to deploy into."
  type        = string
  default     = "default"
}

variable "image_tag" {
  description = "Tag of the ghcr.io/example/notes image."
  type        = string
  default     = "3.4.2"
}

variable "postgres_image_tag" {
  description = "Tag of the docker.io/library/postgres image."
  type        = string
  default     = "16.4-alpine"
}

variable "redis_image_tag" {
  description = "Tag of the docker.io/library/redis image."
  type        = string
  default     = "7.4-alpine"
}

variable "hostname" {
  description = "Host name the Ingress serves."
  type        = string
  default     = "notes.example.org"
}

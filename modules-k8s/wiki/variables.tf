variable "namespace" {
  description = "Namespace to deploy into."
  type        = string
  default     = "default"
}

variable "image_tag" {
  description = "Tag of the docker.io/redimp/otterwiki image."
  type        = string
  default     = "2.10.1"
}

variable "hostname" {
  description = "Host name the Ingress serves."
  type        = string
  default     = "wiki.example.org"
}

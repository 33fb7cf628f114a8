variable "namespace" {
  description = "Namespace to deploy into."
  type        = string
  default     = "default"
}

variable "image_tag" {
  description = "Tag of the nginx image."
  type        = string
  default     = "1.27-alpine"
}

variable "php_image_tag" {
  description = "Tag of the php image."
  type        = string
  default     = "8.3-fpm-alpine"
}

variable "hostnames" {
  description = "Host names the Ingress serves."
  type        = list(string)
  default     = ["example.org", "www.example.org", "shop.example.net"]
}

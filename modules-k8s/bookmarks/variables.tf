variable "namespace" {
  description = "Namespace to deploy into."
  type        = string
  default     = "default"
}

variable "image_tag" {
  description = "Tag of the ghcr.io/example/linkding image."
  type        = string
  default     = "1.36.0"
}

variable "litestream_image_tag" {
  description = "Tag of the litestream/litestream image."
  type        = string
  default     = "0.3.13"
}

variable "hostname" {
  description = "Host name the Ingress serves."
  type        = string
  default     = "bookmarks.example.org"
}

variable "litestream_bucket" {
  description = "S3 bucket litestream replicates to."
  type        = string
  default     = "bookmarks-litestream"
}

variable "minio_endpoint" {
  description = "S3 endpoint litestream replicates to."
  type        = string
  default     = "http://minio.storage.svc.cluster.local:9000"
}

variable "namespace" {
  description = "Namespace to deploy into."
  type        = string
  default     = "default"
}

variable "image_tag" {
  description = "Tag of the docker.io/restic/restic image."
  type        = string
  default     = "0.17.3"
}

variable "schedule" {
  description = "Cron schedule (from the jobspec's periodic block)."
  type        = string
  default     = "0 3 * * *"
}

variable "namespace" {
  description = "Namespace to deploy into."
  type        = string
  default     = "default"
}

variable "image_tag" {
  description = "Tag of the docker.io/gitlab/gitlab-runner image."
  type        = string
  default     = "v17.5.3"
}

variable "docker_image_tag" {
  description = "Tag of the docker.io/library/docker image."
  type        = string
  default     = "27.3-dind"
}

variable "namespace" {
  description = "Namespace to deploy into."
  type        = string
  default     = "default"
}

variable "image_tag" {
  description = "Tag of the nvcr.io/nvidia/tritonserver image."
  type        = string
  default     = "24.08-py3"
}

variable "hostname" {
  description = "Host name the Ingress serves."
  type        = string
  default     = "llm.example.org"
}

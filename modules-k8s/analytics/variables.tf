variable "namespace" {
  description = "Namespace to deploy into."
  type        = string
  default     = "default"
}

variable "app_version" {
  description = "Release of the analytics image."
  type        = string
}

variable "domain" {
  description = "Domain the tracked sites live under."
  type        = string
}

variable "admin_email" {
  description = "The jobspec's variable \"admin_email\" (no default: required)."
  type        = string
}

variable "log_level" {
  description = "The jobspec's variable \"log_level\"."
  type        = string
  default     = "info"
}

variable "hostname" {
  description = "Host name the Ingress serves."
  type        = string
  default     = "stats.example.org"
}

"""nomad-k8s-gen: Terraform Kubernetes modules from Nomad jobspecs."""

__version__ = "0.1.0"

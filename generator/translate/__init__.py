"""Nomad model → Kubernetes `ModulePlan`."""

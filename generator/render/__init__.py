"""Rendering a `ModulePlan` into the files of a module."""

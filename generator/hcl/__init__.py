"""Reading HCL: python-hcl2's output normalized into a tree with source lines."""

from generator.hcl.loader import load_hcl_file, parse_hcl
from generator.hcl.tree import Attribute, Block, Expr, Value

__all__ = ["Attribute", "Block", "Expr", "Value", "load_hcl_file", "parse_hcl"]

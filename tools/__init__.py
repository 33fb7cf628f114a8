"""Developer tooling, not shipped in the wheel: module validation (`tools.validation`),
the corpus run (`tools.corpus`), benchmarks (`tools.bench*`, `tools.hostile`) and the
conversion-matrix document (`tools.conversion_matrix`). Run from the repository root
(`make validate`, `make corpus`, `make bench`, `make docs`); nothing in `generator/`
imports it."""

"""Validation: checking the knowledge against the SHACL shapes.

Owns pySHACL (kg.validation.shacl is its only importer) and the report types,
the fast engine, choosing the engine and the files to check
(kg.validation.checking), the incremental cache behind `kg validate --changed`,
and the reports for people and programs.

May import: kg.knowledge, kg.stores and kg.model.
"""

"""Outputs: the knowledge written for other programs and for people to look at.

Owns export (stable and streamed) in every RDF format, result tables, pictures
(the only importer of networkx and drawing libraries), the static site and the
ontology page.

May import: kg.answers, kg.validation, kg.knowledge, kg.stores and kg.model.
"""

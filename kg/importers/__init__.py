"""Importers of external data: each turns files published by others into RDF files of our own.

`kg.importers.imsa` reads IMSA's official timing exports (Al Kamel CSV files);
`kg.importers.resolution` gives each driver, team and car one identity.

May import: kg.answers (to find entities already known), kg.knowledge, kg.stores
and kg.model.
"""

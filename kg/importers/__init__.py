"""Importers of external data: each turns files published by others into RDF files of our own.

`kg.importers.imsa` reads IMSA's official timing exports (Al Kamel CSV files).
"""

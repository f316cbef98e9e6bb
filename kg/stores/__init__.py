"""The stores: where the graph lives, and how each is kept in step with the files.

  oxigraph   an on-disk index, refreshed incrementally (kg.stores.index)   [default]
  memory     rdflib in memory, loaded from the files on every run
  sparql     a SPARQL 1.1 server, filled by `kg push`, read by every other command

Owns the `Store` interface (kg.stores.base) and every backend, the store
configuration (kg.stores.config), opening, syncing and pushing (kg.stores.sync),
RDF terms and values written into queries, and `kg serve`.

May import: kg.model only. Light to import: backends load their libraries only
when opened.
"""

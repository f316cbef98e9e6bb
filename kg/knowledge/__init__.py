"""The knowledge as commands see it: a store holding the files, and views of it.

Owns `Knowledge` (an opened store plus the files behind its named graphs,
kg.knowledge.project), the "as known then" views (kg.knowledge.asof) and time
values read through the store.

May import: kg.stores and kg.model.
"""

"""The model: what the knowledge is made of, before any store holds it.

Owns the errors and exit codes, the namespaces and prefixes, where the bundled
ontology, data and queries live, the knowledge files (finding and parsing
them, the named graph of each), time values with their precision, safe file
writing and deterministic Turtle.

May import: nothing of kg but `kg` itself (the version). Everything else may
import it.
"""

"""`kg import imsa`: IMSA's official timing exports (Al Kamel CSV files) as RDF files.

Each CSV becomes one deterministic Turtle file (its own named graph when
loaded) that describes the file as an `ms:ResultsFile` (name, SHA-256,
publisher, importer version) and states every fact in it as a claim with
`ms:statedIn` that document, in the ontology's own terms (docs/imsa-import.md).

Owns reading the files (`reading`), the triples every file shares (`triples`),
mapping results, weather and laps rows to RDF (`mapping`), and converting and
writing files with the import report (`importing`). Identities are resolved by
kg.importers.resolution.

May import: kg.importers.resolution, kg.answers, kg.knowledge, kg.stores and kg.model.
"""

from kg.importers.imsa.importing import (
    Converted,
    FailedFile,
    ImportedFile,
    ImportReport,
    convert,
    import_files,
)
from kg.importers.imsa.reading import find_csv_files

__all__ = [
    "Converted",
    "FailedFile",
    "ImportReport",
    "ImportedFile",
    "convert",
    "find_csv_files",
    "import_files",
]

"""Pictures: the knowledge graph drawn for people and for graph programs.

Owns the networkx conversion (`to_networkx`, with the scoped walk that reads only
the data around an entity from the store), the layout and class colours, the
writers (the interactive HTML page, SVG and PNG figures, DOT, GraphML, GEXF) and
the decision timeline. networkx, numpy and matplotlib are imported only inside
the functions that need them, so importing this package stays cheap.

The graph is an `nx.MultiDiGraph` keyed by IRI strings. Claims (n-ary fact
nodes, subclasses of ms:Claim) that link exactly two entities are collapsed
into labelled edges by default, so a picture reads like facts between
entities; the claim IRI and its sources stay on the edge. See
docs/visualisation.md.

May import: kg.answers, kg.knowledge, kg.stores, kg.model, and its own modules.
"""

from kg.outputs.viz.convert import to_networkx
from kg.outputs.viz.exports import exportable, render_dot, write_dot, write_gexf, write_graphml
from kg.outputs.viz.facts import Fact, Source, facts_of
from kg.outputs.viz.figures import (
    MAX_PICTURE_EDGES,
    MAX_PICTURE_NODES,
    PictureTooLarge,
    check_picture_size,
    write_png,
    write_svg,
)
from kg.outputs.viz.formats import FORMATS, output_format, write
from kg.outputs.viz.page import render_html, write_html
from kg.outputs.viz.positions import colours, layout
from kg.outputs.viz.sizing import DrawnAtLeast, check_whole_picture_size, drawn_at_least
from kg.outputs.viz.terms import CLAIM_MODES
from kg.outputs.viz.timeline import TimelineSummary, decision_timeline

__all__ = [
    "CLAIM_MODES",
    "FORMATS",
    "MAX_PICTURE_EDGES",
    "MAX_PICTURE_NODES",
    "DrawnAtLeast",
    "Fact",
    "PictureTooLarge",
    "Source",
    "TimelineSummary",
    "check_picture_size",
    "check_whole_picture_size",
    "colours",
    "decision_timeline",
    "drawn_at_least",
    "exportable",
    "facts_of",
    "layout",
    "output_format",
    "render_dot",
    "render_html",
    "to_networkx",
    "write",
    "write_dot",
    "write_gexf",
    "write_graphml",
    "write_html",
    "write_png",
    "write_svg",
]

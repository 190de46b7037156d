"""The ontology's class diagram as inline SVG, drawn from eulod.ttl itself.

Classes are boxes and object properties are labelled arrows from their domain to their range
(a union domain such as "Project or Participation" gives one arrow per member). The layout is
deterministic and needs no Graphviz: classes that no object property points at form the first
column, every other class sits one column right of the furthest class pointing at it, and within a column
classes are ordered by the mean row of the classes pointing at them, so most arrows run left to
right without crossing. Several properties between the same two classes share one arrow.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable
from xml.sax.saxutils import escape, quoteattr

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from .links import safe_href

BOX_HEIGHT = 34
ROW_GAP = 30
COLUMN_GAP = 180
LABEL_AT = 0.6  # where a label sits across the gap before its arrow's target: past the source's fan-out
LINE_HEIGHT = 12
LABEL_CHAR_WIDTH = 6.0  # the same for the 11 px labels
MARGIN = 20
CHAR_WIDTH = 7.4  # an average glyph of a 13 px sans-serif font; generous enough for the box padding
PADDING = 14


@dataclass
class Node:
    iri: URIRef
    label: str
    column: int = 0
    row: int = 0
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0


@dataclass
class Edge:
    source: URIRef
    target: URIRef
    properties: list[URIRef] = field(default_factory=list)


def members(graph: Graph, node) -> list:
    """The classes a domain or range stands for: itself, or the members of an owl:unionOf."""
    union = graph.value(node, OWL.unionOf)
    if union is not None:
        return [m for m in Collection(graph, union) if isinstance(m, URIRef)]
    return [node] if isinstance(node, URIRef) else []


def object_property_links(graph: Graph) -> list[tuple[URIRef, URIRef, URIRef]]:
    """(domain class, property, range class) for every object property, unions expanded."""
    links = []
    for prop in sorted(graph.subjects(RDF.type, OWL.ObjectProperty)):
        for domain in graph.objects(prop, RDFS.domain):
            for rng in graph.objects(prop, RDFS.range):
                for source in members(graph, domain):
                    for target in members(graph, rng):
                        links.append((source, prop, target))
    return links


def diagram_classes(graph: Graph) -> set[URIRef]:
    """Every class that is the domain or range of an object property: what the diagram must show."""
    return {node for source, _, target in object_property_links(graph) for node in (source, target)}


def _edges(links: list[tuple[URIRef, URIRef, URIRef]]) -> list[Edge]:
    merged: dict[tuple[URIRef, URIRef], Edge] = {}
    for source, prop, target in links:
        merged.setdefault((source, target), Edge(source, target)).properties.append(prop)
    return [merged[key] for key in sorted(merged)]


def _columns(nodes: list[URIRef], edges: list[Edge]) -> dict[URIRef, int]:
    """Each class one column right of the furthest class pointing at it (longest path).

    A class that nothing points at starts in column 0. Cycles (none today) are cut by
    capping the column at the number of classes, so the loop always ends.
    """
    column = {node: 0 for node in nodes}
    links = [(e.source, e.target) for e in edges if e.source != e.target]
    for _ in range(len(nodes)):
        changed = False
        for source, target in links:
            if column[target] < column[source] + 1 < len(nodes):
                column[target] = column[source] + 1
                changed = True
        if not changed:
            break
    return column


def _order(nodes: dict[URIRef, Node], edges: list[Edge]) -> None:
    """Rows within each column by the mean row of each class's predecessors (barycentre)."""
    by_column: dict[int, list[Node]] = defaultdict(list)
    for node in nodes.values():
        by_column[node.column].append(node)
    predecessors: dict[URIRef, list[URIRef]] = defaultdict(list)
    for edge in edges:
        if nodes[edge.source].column < nodes[edge.target].column:
            predecessors[edge.target].append(edge.source)
    for number in sorted(by_column):
        column = by_column[number]

        def key(node: Node) -> tuple[float, str]:
            rows = [nodes[p].row for p in predecessors[node.iri]]
            return (sum(rows) / len(rows) if rows else 0.0, node.label.lower())

        for row, node in enumerate(sorted(column, key=key)):
            node.row = row


def _place(nodes: dict[URIRef, Node]) -> tuple[float, float]:
    widths: dict[int, float] = defaultdict(float)
    heights: dict[int, int] = defaultdict(int)
    for node in nodes.values():
        node.width = round(len(node.label) * CHAR_WIDTH + 2 * PADDING)
        widths[node.column] = max(widths[node.column], node.width)
        heights[node.column] = max(heights[node.column], node.row + 1)
    tallest = max(heights.values())
    left: dict[int, float] = {}
    x = MARGIN
    for number in sorted(widths):
        left[number] = x
        x += widths[number] + COLUMN_GAP
    for node in nodes.values():
        # centre shorter columns vertically so their arrows fan out evenly
        offset = (tallest - heights[node.column]) * (BOX_HEIGHT + ROW_GAP) / 2
        node.x = left[node.column] + (widths[node.column] - node.width) / 2
        node.y = MARGIN + offset + node.row * (BOX_HEIGHT + ROW_GAP)
    width = x - COLUMN_GAP + MARGIN
    height = 2 * MARGIN + tallest * (BOX_HEIGHT + ROW_GAP) - ROW_GAP
    return width, height


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _path(source: Node, target: Node, port: float) -> tuple[str, list[tuple[float, float]], float]:
    """A cubic curve from source to target, points along it, and the x its label would like.

    ``port`` (0..1) spreads the arrows leaving one box along its right edge, in the order of
    their targets, so they do not all start at one point.
    """
    sy = source.y + 6 + port * (BOX_HEIGHT - 12)
    ty = target.y + BOX_HEIGHT / 2
    if target.column > source.column:
        sx, tx = source.x + source.width, target.x
        bend = (tx - sx) / 2
        c1, c2 = (sx + bend, sy), (tx - bend, ty)
        # in the gap just before the target, so an arrow that skips a column is not labelled
        # on top of the boxes it passes behind
        wanted = tx - (1 - LABEL_AT) * COLUMN_GAP
    else:  # same column (or backwards): loop out to the right and come back in
        sx, tx = source.x + source.width, target.x + target.width
        reach = max(sx, tx) + 60
        c1, c2 = (reach, sy), (reach, ty)
        wanted = reach
    d = f"M{sx:.1f},{sy:.1f} C{c1[0]:.1f},{c1[1]:.1f} {c2[0]:.1f},{c2[1]:.1f} {tx:.1f},{ty:.1f}"

    def point(t: float) -> tuple[float, float]:
        u = 1 - t
        return (u**3 * sx + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t**3 * tx,
                u**3 * sy + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t**3 * ty)

    return d, [point(n / 64) for n in range(4, 61)], wanted


def _label_box(x: float, y: float, names: list[str]) -> Box:
    width = max(len(n) for n in names) * LABEL_CHAR_WIDTH + 6
    top = y - 3 - (len(names) - 1) * LINE_HEIGHT / 2 - LINE_HEIGHT + 2
    return (x - width / 2, top, x + width / 2, top + len(names) * LINE_HEIGHT + 2)


def _overlaps(box: Box, others: list[Box]) -> bool:
    return any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in others)


def _place_label(points: list[tuple[float, float]], wanted: float, names: list[str], taken: list[Box]) -> tuple[float, float]:
    """The point on (or just beside) the arrow nearest the wanted x whose label covers nothing else.

    When every spot is covered, the one covering the fewest boxes and labels wins.
    """
    ranked = sorted(points, key=lambda xy: abs(xy[0] - wanted))
    candidates = [(x, y + dy) for dy in (0, -7, 7, -14, 14) for x, y in ranked]
    for x, y in candidates:
        if not _overlaps(_label_box(x, y, names), taken):
            return x, y
    return min(candidates, key=lambda xy: sum(_overlaps(_label_box(*xy, names), [o]) for o in taken))


def _ports(nodes: dict[URIRef, Node], edges: list[Edge]) -> dict[tuple[URIRef, URIRef], float]:
    """Each arrow's place (0..1) on its source box's edge, ordered by the target's height."""
    leaving: dict[URIRef, list[Edge]] = defaultdict(list)
    for edge in edges:
        leaving[edge.source].append(edge)
    ports = {}
    for source, out in leaving.items():
        out.sort(key=lambda e: (nodes[e.target].y, nodes[e.target].label))
        for number, edge in enumerate(out):
            ports[(edge.source, edge.target)] = number / (len(out) - 1) if len(out) > 1 else 0.5
    return ports


def render_svg(graph: Graph, label: Callable[[URIRef], str], href: Callable[[URIRef], str]) -> str:
    """The diagram as an ``<svg>`` element; ``label`` names a term, ``href`` is where its box links."""
    links = object_property_links(graph)
    edges = _edges(links)
    iris = sorted(diagram_classes(graph))
    columns = _columns(iris, edges)
    nodes = {iri: Node(iri, label(iri), column=columns[iri]) for iri in iris}
    _order(nodes, edges)
    width, height = _place(nodes)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" font-family="system-ui, sans-serif" font-size="13">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    labels = []
    ports = _ports(nodes, edges)
    taken: list[Box] = [(n.x, n.y, n.x + n.width, n.y + BOX_HEIGHT) for n in nodes.values()]
    for edge in edges:
        d, points, wanted = _path(nodes[edge.source], nodes[edge.target], ports[(edge.source, edge.target)])
        names = [label(p) for p in edge.properties]
        mx, my = _place_label(points, wanted, names, taken)
        taken.append(_label_box(mx, my, names))
        text = ", ".join(names)
        properties = " ".join(str(p) for p in edge.properties)
        parts.append(
            f'<path d="{d}" fill="none" stroke="#555" stroke-width="1.2" marker-end="url(#arrow)" '
            f"data-property={quoteattr(properties)}><title>{escape(text)}</title></path>"
        )
        top = my - 3 - (len(names) - 1) * LINE_HEIGHT / 2  # one line per property, centred on the arrow
        lines = "".join(
            f'<tspan x="{mx:.1f}" y="{top + n * LINE_HEIGHT:.1f}">{escape(name)}</tspan>' for n, name in enumerate(names)
        )
        labels.append(
            f'<text text-anchor="middle" fill="#333" font-size="11" paint-order="stroke" stroke="#fff" '
            f'stroke-width="4" stroke-linejoin="round">{lines}</text>'
        )
    for node in sorted(nodes.values(), key=lambda n: (n.column, n.row)):
        target = safe_href(href(node.iri))  # only http(s) and this site's paths become links (links.py)
        opening, closing = (f"<a href={quoteattr(target)}", "</a>") if target else ("<g", "</g>")
        parts.append(
            f"{opening} data-term={quoteattr(str(node.iri))}>"
            f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{node.width:.0f}" height="{BOX_HEIGHT}" rx="4" '
            f'fill="#eef3fb" stroke="#2a5599"/>'
            f'<text x="{node.x + node.width / 2:.1f}" y="{node.y + BOX_HEIGHT / 2 + 4.5:.1f}" '
            f'text-anchor="middle" fill="#123">{escape(node.label)}</text>{closing}'
        )
    parts.extend(labels)  # labels last, so no box or arrow covers them
    parts.append("</svg>")
    return "\n".join(parts)

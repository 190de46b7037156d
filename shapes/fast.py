"""Whole-graph validation with pySHACL's own constraint components, at CORDIS scale.

pySHACL validates one focus node at a time: it looks up every value node in an rdflib graph
and re-parses each SPARQL constraint's query for every focus node, which costs about 18 ms a
project (370 s for 20 000). This module gives the same results from the same shapes by
changing *where* the work happens, not *what* is checked:

- the data sits in a pyoxigraph store; focus nodes (``sh:targetClass``, with the data's
  ``rdfs:subClassOf``) and value nodes (predicate and inverse paths) are read from it once
  per shape for all focus nodes together;
- each SPARQL constraint's ``sh:select`` runs once over the whole store with ``$this``
  unbound (the shapes promise every pattern is anchored on ``$this``); rows are kept for the
  shape's focus nodes only and de-duplicated per focus node as pySHACL does;
- the Core constraint components evaluated are pySHACL's own classes, called once with every
  focus node and its value nodes, and every result, message and report triple is made by
  pySHACL's own ``make_v_result`` and ``create_validation_report``; only ``sh:class`` is
  checked here, against a type index read from the store, because pySHACL's version walks
  the data graph.

Shapes that need anything else (other targets, complex paths, ``sh:node``, property-pair
constraints, ``$currentShape`` ...) raise :class:`Unsupported` when the plan is compiled,
and :func:`validate` then falls back to whole pySHACL, so a new shape is never checked
wrongly, only slowly. Identity with pySHACL is tested in tests/test_fast_validation.py.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP
from pyshacl.pytypes import SHACLExecutor
from pyshacl.shape import Shape
from pyshacl.shapes_graph import ShapesGraph
from pyshacl.validator import Validator
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

log = logging.getLogger(__name__)

RDF_TYPE = ox.NamedNode(str(RDF.type))
RDFS_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))
XSD_STRING = str(XSD.string)
RDF_LANGSTRING = str(RDF.langString)

# Constraint parameters whose component looks only at each value node (or at the set of value
# nodes of one focus node), never at the data graph: pySHACL's component is run as it is.
VALUE_LOCAL = {
    SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minExclusive, SH.minInclusive,
    SH.maxExclusive, SH.maxInclusive, SH.minLength, SH.maxLength, SH.pattern, SH.languageIn,
    SH.uniqueLang, SH["in"], SH.hasValue,
}
# Logical parameters whose member shapes are run on the value node itself: allowed when every
# member shape is itself value-local (no path, no sh:property, no sh:class, no SPARQL).
LOGICAL = {SH["not"], SH["or"], SH["and"], SH.xone}
SHAPE_ONLY = {
    RDF.type, SH.path, SH.targetClass, SH.property, SH.severity, SH.message, SH.name,
    SH.description, SH.order, SH.group, SH.deactivated, SH.flags, SH.sparql, SH["class"],
    *VALUE_LOCAL, *LOGICAL,
}
SPARQL_UNSUPPORTED = re.compile(r"[?$](currentShape|shapesGraph|PATH)\b")


class Unsupported(Exception):
    """The shapes use a feature this validator does not reproduce; use whole pySHACL."""


@dataclass
class SparqlPlan:
    component: object  # pySHACL's SPARQLConstraintComponent of the shape
    node: URIRef  # the sh:SPARQLConstraint
    query: str
    messages: list | None


@dataclass
class ShapePlan:
    """One shape: the pySHACL components to run on its value nodes, and its SPARQL rules."""

    shape: Shape
    path: tuple[str, ox.NamedNode] | None  # ("out"|"in", predicate); None for a node shape
    components: list = field(default_factory=list)
    class_component: object | None = None
    classes: list[URIRef] = field(default_factory=list)
    sparql: list[SparqlPlan] = field(default_factory=list)
    properties: list["ShapePlan"] = field(default_factory=list)


@dataclass
class Plan:
    shapes_graph: ShapesGraph
    targeted: list[tuple[list[URIRef], ShapePlan]]


def _executor() -> SHACLExecutor:
    """The options eulod runs pySHACL with (advanced, warnings allowed)."""
    return SHACLExecutor(advanced_mode=True, allow_warnings=True)


def _path(shape: Shape) -> tuple[str, ox.NamedNode] | None:
    path = shape.path()
    if path is None:
        return None
    if isinstance(path, URIRef):
        return ("out", ox.NamedNode(str(path)))
    inverse = shape.sg.graph.value(path, SH.inversePath)
    if isinstance(path, BNode) and isinstance(inverse, URIRef) and len(list(shape.sg.graph.predicate_objects(path))) == 1:
        return ("in", ox.NamedNode(str(inverse)))
    raise Unsupported(f"{shape.node}: only predicate and inverse paths are supported")


def _check_value_local(shape: Shape) -> None:
    """Member shapes of sh:not/sh:or/... must only look at the value node itself."""
    for predicate, obj in shape.sg.graph.predicate_objects(shape.node):
        if predicate in LOGICAL:
            members = [obj] if predicate == SH["not"] else list(shape.sg.graph.items(obj))
            for member in members:
                _check_value_local(shape.sg.lookup_shape_from_node(member))
        elif predicate not in VALUE_LOCAL | {RDF.type, SH.severity, SH.message, SH.name, SH.description, SH.deactivated, SH.flags}:
            raise Unsupported(f"{shape.node}: {predicate} inside a logical constraint")


def _compile_shape(shape: Shape) -> ShapePlan:
    plan = ShapePlan(shape, _path(shape))
    if shape.find_custom_constraints():
        raise Unsupported(f"{shape.node}: custom constraint components")
    done: set[type] = set()
    for predicate, obj in shape.sg.graph.predicate_objects(shape.node):
        if predicate not in SHAPE_ONLY:
            raise Unsupported(f"{shape.node}: {predicate}")
        if predicate == SH.property:
            if plan.path is not None:
                raise Unsupported(f"{shape.node}: sh:property on a property shape")
            plan.properties.append(_compile_shape(shape.sg.lookup_shape_from_node(obj)))
        elif predicate == SH["class"]:
            plan.classes.append(obj)
            plan.class_component = plan.class_component or CONSTRAINT_PARAMETERS_MAP[SH["class"]](shape)
        elif predicate == SH.sparql:
            continue  # compiled below, once for all of the shape's constraints
        elif predicate in VALUE_LOCAL or predicate in LOGICAL:
            kind = CONSTRAINT_PARAMETERS_MAP[predicate]
            if kind in done:
                continue
            done.add(kind)
            if predicate in LOGICAL:
                members = [obj] if predicate == SH["not"] else list(shape.sg.graph.items(obj))
                for member in members:
                    _check_value_local(shape.sg.lookup_shape_from_node(member))
            plan.components.append(kind(shape))
    if (shape.node, SH.sparql, None) in shape.sg.graph:
        if plan.path is not None:
            raise Unsupported(f"{shape.node}: SPARQL constraints on a property shape")
        component = CONSTRAINT_PARAMETERS_MAP[SH.sparql](shape)
        for helper in component.sparql_constraints:
            if helper.deactivated:
                continue
            if SPARQL_UNSUPPORTED.search(helper.select_text) or helper.parameters:
                raise Unsupported(f"{helper.node}: pre-bound variables other than $this")
            query = helper.apply_prefixes(helper.select_text)
            plan.sparql.append(SparqlPlan(component, helper.node, query, helper.messages or None))
    return plan


@lru_cache(maxsize=4)
def compile_plan(shapes: Graph) -> Plan:
    """The validation plan for a shapes graph (raises Unsupported)."""
    sg = ShapesGraph(shapes)
    targeted = []
    for shape in sg.shapes:
        if shape.deactivated:
            continue
        node_targets, classes, implicit, objects_of, subjects_of = (list(t) for t in shape.target())
        if node_targets or implicit or objects_of or subjects_of or (shape.node, SH.target, None) in shapes:
            raise Unsupported(f"{shape.node}: only sh:targetClass targets are supported")
        if not classes:
            continue  # reached through sh:property or a logical constraint
        targeted.append((sorted(classes), _compile_shape(shape)))
    return Plan(sg, targeted)


class Data:
    """The data graph as a pyoxigraph store, with the lookups validation needs, cached."""

    def __init__(self, store: ox.Store, namespaces: Graph | None = None) -> None:
        self.store = store
        # pySHACL formats focus nodes in generic messages with the data graph's prefixes.
        self.datagraph = namespaces if namespaces is not None else Graph()
        self._terms: dict[object, object] = {}
        self._types: dict[object, set] | None = None
        self._superclasses: dict[object, set] | None = None

    def term(self, node: object) -> object:
        """The rdflib term for a pyoxigraph term, as rdflib would have parsed it."""
        out = self._terms.get(node)
        if out is None:
            if isinstance(node, ox.NamedNode):
                out = URIRef(node.value)
            elif isinstance(node, ox.BlankNode):
                out = BNode(node.value)
            elif node.language:
                out = Literal(node.value, lang=node.language)
            elif node.datatype.value == XSD_STRING:
                out = Literal(node.value)
            else:
                out = Literal(node.value, datatype=URIRef(node.datatype.value))
            self._terms[node] = out
        return out

    def _type_index(self) -> dict[object, set]:
        if self._types is None:
            self._types = {}
            for quad in self.store.quads_for_pattern(None, RDF_TYPE, None):
                self._types.setdefault(quad.subject, set()).add(quad.object)
            self._superclasses = {}
            for quad in self.store.quads_for_pattern(None, RDFS_SUBCLASS, None):
                self._superclasses.setdefault(quad.subject, set()).add(quad.object)
        return self._types

    def _closure(self, cls: object) -> set:
        """cls and all its superclasses (rdfs:subClassOf* in the data graph)."""
        self._type_index()
        seen, todo = {cls}, [cls]
        while todo:
            for parent in self._superclasses.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def instances(self, classes: Iterable[URIRef]) -> list:
        """Focus nodes of sh:targetClass: SHACL instances of any of ``classes``."""
        wanted = {ox.NamedNode(str(c)) for c in classes}
        out = []
        for node, types in self._type_index().items():
            if any(wanted & self._closure(t) for t in types):
                out.append(node)
        return out

    def has_class(self, node: object, cls: URIRef) -> bool:
        if isinstance(node, ox.Literal):
            return False
        target = ox.NamedNode(str(cls))
        return any(target in self._closure(t) for t in self._type_index().get(node, ()))

    def values(self, focus: list, path: tuple[str, ox.NamedNode]) -> dict:
        """focus node -> set of value nodes along ``path`` (an empty set when there are none)."""
        direction, predicate = path
        wanted = set(focus)
        out: dict = {f: set() for f in focus}
        for quad in self.store.quads_for_pattern(None, predicate, None):
            key, value = (quad.subject, quad.object) if direction == "out" else (quad.object, quad.subject)
            if key in wanted:
                out[key].add(value)
        return out


def _run_components(plan: ShapePlan, data: Data, focus_values: dict, executor: SHACLExecutor) -> list:
    reports = []
    converted = {data.term(f): {data.term(v) for v in vs} for f, vs in focus_values.items()}
    for component in plan.components:
        _conforms, found = component.evaluate(executor, data.datagraph, converted, [plan.shape, component])
        reports.extend(found)
    for cls in plan.classes:
        for focus, values in focus_values.items():
            for value in values:
                if not data.has_class(value, cls):
                    reports.append(plan.class_component.make_v_result(data.datagraph, data.term(focus), value_node=data.term(value)))
    return reports


def _bindings(solution: ox.QuerySolution, variables: list[str]) -> dict:
    return {name: solution[name] for name in variables if solution[name] is not None}


def _run_sparql(plan: ShapePlan, rule: SparqlPlan, data: Data, focus: set) -> list:
    """The rule's SELECT once over the whole store; rows for this shape's focus nodes."""
    reports = []
    seen: set = set()
    solutions = data.store.query(rule.query)
    variables = [v.value for v in solutions.variables]
    node_shape = not plan.shape.is_property_shape
    for solution in solutions:
        row = _bindings(solution, variables)
        this = row.pop("this", None)
        if this is None or this not in focus:
            if this is None:
                log.warning("%s: a row without $this is ignored", rule.node)
            continue
        if row.pop("failure", None) is not None:
            raise Unsupported(f"{rule.node}: ?failure")
        path, value = row.pop("path", None), row.pop("value", None)
        f = data.term(this)
        p = data.term(path) if path is not None else None
        v = data.term(value) if value is not None else None
        extra = {name: data.term(term) for name, term in row.items()}
        key = (f, p, v, tuple(sorted(extra.items())))
        if key in seen:
            continue
        seen.add(key)
        v = v if v is not None else (f if node_shape else None)
        reports.append(
            rule.component.make_v_result(
                data.datagraph, f, value_node=v, result_path=p, bound_vars=(f, p, v, extra),
                source_constraint=rule.node, extra_messages=rule.messages,
            )
        )
    return reports


def _run_shape(plan: ShapePlan, data: Data, focus: list, executor: SHACLExecutor) -> list:
    if plan.shape.deactivated or not focus:
        return []
    focus_values = data.values(focus, plan.path) if plan.path else {f: {f} for f in focus}
    reports = _run_components(plan, data, focus_values, executor)
    if plan.sparql:
        focus_set = set(focus)
        for rule in plan.sparql:
            reports.extend(_run_sparql(plan, rule, data, focus_set))
    for prop in plan.properties:
        reports.extend(_run_shape(prop, data, focus, executor))
    return reports


def validate_store(store: ox.Store, shapes: Graph, namespaces: Graph | None = None) -> Graph:
    """The SHACL validation report graph of the store's data, as pySHACL would make it."""
    plan = compile_plan(shapes)
    data = Data(store, namespaces)
    executor = _executor()
    reports = []
    for classes, shape_plan in plan.targeted:
        reports.extend(_run_shape(shape_plan, data, data.instances(classes), executor))
    allowed = {SH.Info, SH.Warning}
    conforms = all(
        severity in allowed for _d, node, triples in reports for s, p, severity in triples if s == node and p == SH.resultSeverity
    )
    report_graph, _text = Validator.create_validation_report(plan.shapes_graph, conforms, reports)
    return report_graph


def store_from_graphs(graphs: Iterable[Graph]) -> ox.Store:
    """An in-memory store holding the union of rdflib graphs, term for term (blank node ids kept)."""
    store = ox.Store()
    cache: dict = {}

    def convert(term):
        out = cache.get(term)
        if out is None:
            if isinstance(term, URIRef):
                out = ox.NamedNode(str(term))
            elif isinstance(term, BNode):
                out = ox.BlankNode(str(term))
            elif term.language:
                out = ox.Literal(str(term), language=term.language)
            elif term.datatype is not None:
                out = ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            else:
                out = ox.Literal(str(term))
            cache[term] = out
        return out

    quads = []
    for graph in graphs:
        quads.extend(ox.Quad(convert(s), convert(p), convert(o)) for s, p, o in graph)
    store.bulk_extend(quads)
    return store


def store_from_file(path: Path, fmt: ox.RdfFormat) -> ox.Store:
    """An in-memory store bulk-loaded from an RDF file (fast for large N-Triples dumps)."""
    store = ox.Store()
    store.bulk_load(path=str(path), format=fmt)
    return store

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

All of this runs on pySHACL's private API, listed in :data:`PYSHACL_INTERNALS`; a pySHACL without
one of them also gets :class:`Unsupported`, and the versions it was tested with are pinned
(docs/shapes.md).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import multiprocessing
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

try:  # private modules: a pySHACL that moved one is reported by missing_internals(), not an ImportError here
    from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP
    from pyshacl.pytypes import SHACLExecutor
    from pyshacl.shape import Shape
    from pyshacl.shapes_graph import ShapesGraph
    from pyshacl.validator import Validator
except ImportError:
    pass

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


@dataclass(frozen=True)
class Internal:
    """A private pySHACL name this module uses, and how it uses it."""

    module: str
    name: str  # attribute path inside the module: "Shape.path"
    call: tuple[int, tuple[str, ...]] | None = None  # (positional arguments, keyword names) passed; None: only read
    keys: frozenset = frozenset()  # for a mapping: the keys looked up in it
    instance: bool = False  # set by the constructor on each object: no class attribute to check before one exists


# Everything of pySHACL this module relies on beyond pyshacl.validate. pySHACL documents none of it
# (Shape, ShapesGraph and Validator are exported, their methods are not), so pyproject.toml pins
# pyshacl to the versions tests/test_fast_validation.py passed with (docs/shapes.md), and
# compile_plan raises Unsupported when the installed pySHACL lacks any of these (missing_internals):
# eulod.shapes.validate_graphs then uses whole pySHACL instead. A row naming ConstraintComponent
# is checked on every component class taken from CONSTRAINT_PARAMETERS_MAP too, since they override it.
COMPONENT_PARAMETERS = frozenset({*VALUE_LOCAL, *LOGICAL, SH["class"], SH.sparql})
_CC = "pyshacl.constraints.constraint_component"
_QUERY = "pyshacl.helper.sparql_query_helper"
PYSHACL_INTERNALS: tuple[Internal, ...] = (
    Internal("pyshacl.constraints", "CONSTRAINT_PARAMETERS_MAP", keys=COMPONENT_PARAMETERS),
    Internal("pyshacl.pytypes", "SHACLExecutor", call=(0, ("advanced_mode", "allow_warnings"))),
    Internal("pyshacl.shapes_graph", "ShapesGraph", call=(1, ())),
    Internal("pyshacl.shapes_graph", "ShapesGraph.graph", instance=True),
    Internal("pyshacl.shapes_graph", "ShapesGraph.shapes"),
    Internal("pyshacl.shapes_graph", "ShapesGraph.lookup_shape_from_node", call=(1, ())),
    Internal("pyshacl.shape", "Shape.sg"),
    Internal("pyshacl.shape", "Shape.node"),
    Internal("pyshacl.shape", "Shape.deactivated"),
    Internal("pyshacl.shape", "Shape.severity"),
    Internal("pyshacl.shape", "Shape.is_property_shape"),
    Internal("pyshacl.shape", "Shape.path", call=(0, ())),
    Internal("pyshacl.shape", "Shape.target", call=(0, ())),
    Internal("pyshacl.shape", "Shape.find_custom_constraints", call=(0, ())),
    Internal("pyshacl.shape", "Shape.get_other_shape", call=(1, ())),
    Internal(_CC, "ConstraintComponent", call=(1, ())),
    Internal(_CC, "ConstraintComponent.evaluate", call=(4, ())),
    Internal(_CC, "ConstraintComponent.make_v_result",
             call=(2, ("value_node", "result_path", "bound_vars", "source_constraint", "extra_messages"))),
    Internal(_CC, "ConstraintComponent.make_v_result_description"),
    Internal("pyshacl.constraints.sparql.sparql_based_constraints", "SPARQLBasedConstraint.sparql_constraints", instance=True),
    Internal(_QUERY, "SPARQLQueryHelper.node", instance=True),
    Internal(_QUERY, "SPARQLQueryHelper.select_text", instance=True),
    Internal(_QUERY, "SPARQLQueryHelper.parameters", instance=True),
    Internal(_QUERY, "SPARQLQueryHelper.deactivated", instance=True),
    Internal(_QUERY, "SPARQLQueryHelper.messages"),
    Internal(_QUERY, "SPARQLQueryHelper.apply_prefixes", call=(1, ())),
    Internal("pyshacl.validator", "Validator.create_validation_report", call=(3, ())),
)


def _lookup(internal: Internal, owner: object | None = None) -> tuple[object, object]:
    """(the class or module holding the row's attribute, the attribute as stored there).

    Static lookup, so properties and __slots__ are found without an instance; for an instance
    attribute, the class that sets it. Raises ImportError or AttributeError when it is not there.
    """
    parts = internal.name.split(".")[:-1] if internal.instance else internal.name.split(".")
    if owner is None:
        owner = importlib.import_module(internal.module)
    else:
        parts = parts[1:]  # the row's class replaced by ``owner``
        if not parts:
            return owner, owner
    for part in parts[:-1]:
        owner = getattr(owner, part)
    return owner, inspect.getattr_static(owner, parts[-1])


def _call_problem(owner: object, attribute: object, call: tuple[int, tuple[str, ...]]) -> str | None:
    """Why calling ``attribute`` as this module does would fail, or None."""
    positional, keywords = call
    if isinstance(attribute, (classmethod, staticmethod)):
        function, leading = attribute.__func__, int(isinstance(attribute, classmethod))
    elif inspect.isclass(attribute):
        function, leading = attribute, 0
    else:
        function, leading = attribute, int(inspect.isclass(owner))  # a method: self comes first
    try:
        inspect.signature(function).bind(*[None] * (leading + positional), **dict.fromkeys(keywords))
    except (TypeError, ValueError) as exc:
        return f"cannot be called with {positional} positional arguments and {', '.join(keywords) or 'no keywords'} ({exc})"
    return None


def _problem(internal: Internal, owner: object | None = None) -> str | None:
    """What is wrong with one row in the installed pySHACL (None: it is there, usable as listed)."""
    where = f"{internal.module}.{internal.name}" if owner is None else f"{owner.__qualname__} ({internal.name})"
    try:
        holder, attribute = _lookup(internal, owner)
    except (ImportError, AttributeError) as exc:
        return f"{where} is missing ({exc})"
    absent = [str(key) for key in internal.keys if key not in attribute]
    if absent:
        return f"{where} lacks {', '.join(sorted(absent))}"
    found = _call_problem(holder, attribute, internal.call) if internal.call is not None else None
    return None if found is None else f"{where} {found}"


@lru_cache(maxsize=1)
def missing_internals() -> tuple[str, ...]:
    """What of PYSHACL_INTERNALS the installed pySHACL lacks: empty when this module can run."""
    problems = [p for p in map(_problem, PYSHACL_INTERNALS) if p is not None]
    if problems:
        return tuple(problems)
    parameters = importlib.import_module("pyshacl.constraints").CONSTRAINT_PARAMETERS_MAP
    components = {parameters[p] for p in COMPONENT_PARAMETERS}
    overridable = [i for i in PYSHACL_INTERNALS if i.module == _CC and i.name.split(".")[0] == "ConstraintComponent"]
    checks = (_problem(i, cls) for cls in sorted(components, key=lambda c: c.__qualname__) for i in overridable)
    return tuple(p for p in checks if p is not None)


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
    logical: list["LogicalPlan"] = field(default_factory=list)


@dataclass
class LogicalPlan:
    """sh:not / sh:and / sh:or / sh:xone over value-local member shapes."""

    kind: URIRef
    component: object  # pySHACL's component, for its results and messages
    members: list[ShapePlan]


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


MEMBER_ONLY = VALUE_LOCAL | {RDF.type, SH.severity, SH.message, SH.name, SH.description, SH.deactivated, SH.flags}


def _quiet(component: object) -> object:
    """Skip pySHACL's text description of each result: eulod reads the report graph only."""
    component.make_v_result_description = lambda *args, **kwargs: ""
    return component


def _compile_member(shape: Shape) -> ShapePlan:
    """A member shape of a logical constraint: value-local Core constraints only."""
    for predicate in shape.sg.graph.predicates(shape.node):
        if predicate not in MEMBER_ONLY:
            raise Unsupported(f"{shape.node}: {predicate} inside a logical constraint")
    if shape.is_property_shape or shape.find_custom_constraints():
        raise Unsupported(f"{shape.node}: a property shape inside a logical constraint")
    plan = ShapePlan(shape, None)
    kinds = {CONSTRAINT_PARAMETERS_MAP[p] for p in shape.sg.graph.predicates(shape.node) if p in VALUE_LOCAL}
    plan.components = [_quiet(kind(shape)) for kind in kinds]
    return plan


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
            plan.class_component = plan.class_component or _quiet(CONSTRAINT_PARAMETERS_MAP[SH["class"]](shape))
        elif predicate == SH.sparql:
            continue  # compiled below, once for all of the shape's constraints
        elif predicate in LOGICAL:
            members = [obj] if predicate == SH["not"] else list(shape.sg.graph.items(obj))
            component = _quiet(CONSTRAINT_PARAMETERS_MAP[predicate](shape))
            plan.logical.append(
                LogicalPlan(predicate, component, [_compile_member(shape.get_other_shape(m)) for m in members])
            )
        elif predicate in VALUE_LOCAL:
            kind = CONSTRAINT_PARAMETERS_MAP[predicate]
            if kind in done:
                continue
            done.add(kind)
            plan.components.append(_quiet(kind(shape)))
    if (shape.node, SH.sparql, None) in shape.sg.graph:
        if plan.path is not None:
            raise Unsupported(f"{shape.node}: SPARQL constraints on a property shape")
        component = _quiet(CONSTRAINT_PARAMETERS_MAP[SH.sparql](shape))
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
    missing = missing_internals()
    if missing:
        raise Unsupported(f"pySHACL {version('pyshacl')} lacks what eulod.shapes.fast uses: {'; '.join(missing)}")
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


# pyoxigraph term -> rdflib term, shared by every Data of the process: a streaming build validates
# thousands of batches that repeat the same classes, codes and organisations. Bounded a little above
# one batch's terms (55 000 for 2 000 generated records): ten batches in a row took as long with
# 20 000, 100 000 or 500 000 kept (41-51 s CPU, within the noise), and 500 000 held about 150 MB
# more in each validation process (tmp harness, 2026-12-03; issue 19's 2 GB goal).
_TERMS: dict[object, object] = {}
TERMS_KEPT = 100_000


class Data:
    """The data graph: exact terms for the Core constraints, a pyoxigraph store for SPARQL.

    pyoxigraph stores numbers, booleans and dates by value ("578202.00"^^xsd:decimal comes
    back as "578202"), while pySHACL sees each term as written: two amounts "1.5" and "1.50"
    are two values to it. So value nodes are read from the triples as parsed, and the store only
    answers the SPARQL rules, whose literal ?value is mapped back to the term as written.
    """

    def __init__(
        self, triples: list, namespaces: Graph | None = None, source: tuple[Path | bytes, ox.RdfFormat] | None = None
    ) -> None:
        self._triples = triples
        self._source = source  # the file (or bytes) the triples came from, and its format: the store loads it directly
        self._store: ox.Store | None = None
        # pySHACL formats focus nodes in generic messages with the data graph's prefixes.
        self.datagraph = namespaces if namespaces is not None else Graph()
        self._by_predicate: dict[object, list] = {}
        for s, p, o in triples:
            pairs = self._by_predicate.get(p)
            if pairs is None:
                pairs = self._by_predicate[p] = []
            pairs.append((s, o))
        self._terms = _TERMS
        if len(_TERMS) > TERMS_KEPT:  # a term cache for every batch of a streaming build, bounded
            _TERMS.clear()
        self._types: dict[object, set] = {}
        self._by_type: dict[object, list] = {}
        for subject, cls in self._by_predicate.get(RDF_TYPE, ()):
            types = self._types.setdefault(subject, set())
            if cls not in types:
                types.add(cls)
                self._by_type.setdefault(cls, []).append(subject)
        self._superclasses: dict[object, set] = {}
        for cls, parent in self._by_predicate.get(RDFS_SUBCLASS, ()):
            self._superclasses.setdefault(cls, set()).add(parent)
        self._closures: dict[object, set] = {}
        self._objects: dict[object, dict] = {}
        self.conformance: dict[object, dict] = {}  # member shape -> value -> conforms

    @property
    def store(self) -> ox.Store:
        """The store answering SPARQL rules, built on first use (in the worker that runs them)."""
        if self._store is None:
            self._store = ox.Store()
            if self._source is not None:
                # Lenient: the triples were parsed from this very source already, strictly (the
                # caller's), so checking its IRIs again only costs (a quarter of the load, measured).
                origin, fmt = self._source
                options = {"lenient": True} if fmt.supports_datasets else {"to_graph": ox.DefaultGraph(), "lenient": True}
                if isinstance(origin, bytes):
                    self._store.bulk_load(input=origin, format=fmt, **options)
                else:
                    self._store.bulk_load(path=str(origin), format=fmt, **options)
            else:
                self._store.bulk_extend(ox.Quad(s, p, o) for s, p, o in self._triples)
        return self._store

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

    def _closure(self, cls: object) -> set:
        """cls and all its superclasses (rdfs:subClassOf* in the data graph)."""
        if cls in self._closures:
            return self._closures[cls]
        seen, todo = {cls}, [cls]
        while todo:
            for parent in self._superclasses.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        self._closures[cls] = seen
        return seen

    def instances(self, classes: Iterable[URIRef]) -> list:
        """Focus nodes of sh:targetClass: SHACL instances of any of ``classes``."""
        wanted = {ox.NamedNode(str(c)) for c in classes}
        matching = [t for t in self._by_type if wanted & self._closure(t)]
        if len(matching) == 1:
            return list(self._by_type[matching[0]])
        return list(dict.fromkeys(node for t in matching for node in self._by_type[t]))

    def has_class(self, node: object, cls: URIRef) -> bool:
        if isinstance(node, ox.Literal):
            return False
        target = ox.NamedNode(str(cls))
        return any(target in self._closure(t) for t in self._types.get(node, ()))

    def values(self, focus: list, path: tuple[str, ox.NamedNode]) -> dict:
        """focus node -> set of value nodes along ``path`` (an empty set when there are none)."""
        direction, predicate = path
        out: dict = {f: set() for f in focus}
        for subject, obj in self._by_predicate.get(predicate, ()):
            key, value = (subject, obj) if direction == "out" else (obj, subject)
            found = out.get(key)
            if found is not None:
                found.add(value)
        return out

    def as_written(self, subject: object, predicate: object, value: object) -> object:
        """The term as written for a literal the store returned (canonicalised) as ``value``."""
        if not isinstance(value, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            return value
        objects = self._objects.get(predicate)
        if objects is None:
            objects = self._objects[predicate] = {}
            for s, o in self._by_predicate.get(predicate, ()):
                objects.setdefault(s, []).append(o)
        wanted = self.term(value)
        for candidate in objects.get(subject, ()):
            if candidate == value:
                return candidate
            written = self.term(candidate)
            if isinstance(written, Literal) and written.datatype == wanted.datatype and written.eq(wanted):
                return candidate
        return value


def _run_components(plan: ShapePlan, data: Data, focus_values: dict, executor: SHACLExecutor) -> list:
    reports = []
    converted = {data.term(f): {data.term(v) for v in vs} for f, vs in focus_values.items()}
    for component in plan.components:
        _conforms, found = component.evaluate(executor, data.datagraph, converted, [plan.shape, component])
        reports.extend(found)
    for logical in plan.logical:
        reports.extend(_run_logical(logical, data, converted, executor))
    for cls in plan.classes:
        for focus, values in focus_values.items():
            for value in values:
                if not data.has_class(value, cls):
                    reports.append(plan.class_component.make_v_result(data.datagraph, data.term(focus), value_node=data.term(value)))
    return reports


def _focus_of(report: tuple) -> object:
    _description, node, triples = report
    return next(o[1] for s, p, o in triples if s == node and p == SH.focusNode)


def _conforming(member: ShapePlan, values: set, data: Data, executor: SHACLExecutor) -> set:
    """The values that conform to a value-local member shape, as pySHACL's Shape.validate decides.

    A member whose severity is allowed (info, warning) always conforms, as in pySHACL with
    allow_warnings; results are cached per (member, value), since values repeat a lot.
    """
    if member.shape.deactivated or member.shape.severity in (SH.Info, SH.Warning):
        return set(values)
    cache = data.conformance.setdefault(member.shape.node, {})
    todo = {v for v in values if v not in cache}
    if todo:
        failed = set()
        for component in member.components:
            _conforms, reports = component.evaluate(executor, data.datagraph, {v: {v} for v in todo}, [member.shape, component])
            failed.update(_focus_of(r) for r in reports)
        cache.update((v, v not in failed) for v in todo)
    return {v for v in values if cache[v]}


def _run_logical(logical: LogicalPlan, data: Data, focus_values: dict, executor: SHACLExecutor) -> list:
    """sh:not/and/or/xone, with pySHACL's semantics, each member checked once per distinct value."""
    values = set().union(*focus_values.values()) if focus_values else set()
    passing = [_conforming(member, values, data, executor) for member in logical.members]
    reports = []
    for focus, vs in focus_values.items():
        for value in vs:
            count = sum(value in ok for ok in passing)
            fails = {
                SH["not"]: count > 0,
                SH["and"]: count < len(passing),
                SH["or"]: count == 0,
                SH.xone: count != 1,
            }[logical.kind]
            if fails:
                reports.append(logical.component.make_v_result(data.datagraph, focus, value_node=value))
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
        if value is not None and path is not None:
            value = data.as_written(this, path, value)
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


def _run_core(plan: ShapePlan, data: Data, focus: list, executor: SHACLExecutor) -> list:
    """A shape's Core constraints (not its property shapes, not its SPARQL rules)."""
    if plan.shape.deactivated or not focus or not (plan.components or plan.logical or plan.classes):
        return []
    focus_values = data.values(focus, plan.path) if plan.path else {f: {f} for f in focus}
    return _run_components(plan, data, focus_values, executor)


def _run_rules(plan: Plan, data: Data, focus: list[list]) -> list:
    reports = []
    for (_classes, shape_plan), nodes in zip(plan.targeted, focus):
        if shape_plan.sparql and nodes:
            node_set = set(nodes)
            for rule in shape_plan.sparql:
                reports.extend(_run_sparql(shape_plan, rule, data, node_set))
    return reports


def _tasks(plan: Plan) -> list[tuple]:
    """Independent pieces of work: all SPARQL rules (one store), then each shape's Core part."""
    tasks: list[tuple] = [("rules",)]
    for index, (_classes, shape_plan) in enumerate(plan.targeted):
        tasks.append(("core", index, None))
        tasks.extend(("core", index, number) for number in range(len(shape_plan.properties)))
    return tasks


def _run_task(plan: Plan, data: Data, focus: list[list], task: tuple) -> list:
    if task[0] == "rules":
        return _run_rules(plan, data, focus)
    _kind, index, number = task
    shape_plan = plan.targeted[index][1]
    return _run_core(shape_plan if number is None else shape_plan.properties[number], data, focus[index], _executor())


# What forked workers read: set by validate_triples just before the pool forks.
_SHARED: tuple | None = None


def _portable(reports: list, plan: Plan, data: Data) -> list:
    """Reports without references to the graphs (which pickle badly): markers instead."""
    graphs = {id(plan.shapes_graph.graph): "sg", id(data.datagraph): "dg"}
    return [
        (node, [(s, p, (graphs[id(o[0])], o[1]) if isinstance(o, tuple) else o) for s, p, o in triples])
        for _description, node, triples in reports
    ]


def _worker(task: tuple) -> list:
    plan, data, focus = _SHARED
    return _portable(_run_task(plan, data, focus, task), plan, data)


def _parallel(plan: Plan, data: Data, focus: list[list], workers: int) -> list:
    global _SHARED
    _SHARED = (plan, data, focus)
    graphs = {"sg": plan.shapes_graph.graph, "dg": data.datagraph}
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            found = [r for part in pool.imap_unordered(_worker, _tasks(plan)) for r in part]
    finally:
        _SHARED = None
    return [("", node, [(s, p, (graphs[o[0]], o[1]) if isinstance(o, tuple) else o) for s, p, o in triples]) for node, triples in found]


PARALLEL_FROM = 300_000  # triples; below this, forking costs more than it saves


def validate_triples(triples: list, shapes: Graph, *args, **options) -> Graph:
    """The SHACL validation report graph of the data, as pySHACL would make it: the results of
    :func:`validate_reports` (which takes the same arguments) in pySHACL's report graph."""
    plan, reports = validate_reports(triples, shapes, *args, **options)
    allowed = {SH.Info, SH.Warning}
    conforms = all(
        severity in allowed for _d, node, triples in reports for s, p, severity in triples if s == node and p == SH.resultSeverity
    )
    report_graph, _text = Validator.create_validation_report(plan.shapes_graph, conforms, reports)
    return report_graph


def validate_reports(
    triples: list,
    shapes: Graph,
    namespaces: Graph | None = None,
    source: tuple[Path | bytes, ox.RdfFormat] | None = None,
    workers: int | None = None,
    targets: Callable[[list[URIRef]], bool] | None = None,
) -> tuple[Plan, list]:
    """The plan and pySHACL's result tuples (description, result node, its triples) for the data.

    ``triples`` are the data as parsed, (subject, predicate, object) pyoxigraph terms, not read
    back from a store; ``source`` is the file (or bytes) they came from and its format, if any (the SPARQL
    store loads it directly); ``namespaces`` lends its prefixes to pySHACL's generic messages. ``workers``
    processes share the work (default: up to 2 for large data, else 1); the results do not
    depend on it. ``targets`` chooses shapes by their target classes (default: all): the
    streaming build checks a batch of records with the shapes of record-local nodes and
    organisations, which records share, in a pass of their own.
    """
    plan = compile_plan(shapes)
    if targets is not None:  # only the shapes whose target classes the caller checks here
        plan = Plan(plan.shapes_graph, [(classes, shape) for classes, shape in plan.targeted if targets(classes)])
    data = Data(triples, namespaces, source)
    focus = [data.instances(classes) for classes, _shape_plan in plan.targeted]
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if len(triples) >= PARALLEL_FROM else 1
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        reports = _parallel(plan, data, focus, workers)
    else:
        reports = [r for task in _tasks(plan) for r in _run_task(plan, data, focus, task)]
    return plan, reports


def triples_from_graphs(graphs: Iterable[Graph]) -> list:
    """The union of rdflib graphs as pyoxigraph triples, term for term (blank node ids kept)."""
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

    triples = []
    for graph in graphs:
        triples.extend((convert(s), convert(p), convert(o)) for s, p, o in graph)
    return triples


def triples_from_file(path: Path, fmt: ox.RdfFormat) -> list:
    """An RDF file's triples as written (pyoxigraph's parser, fast); named graphs are merged."""
    return [(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path), format=fmt)]

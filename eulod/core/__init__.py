"""The core every other layer stands on; it imports nothing else of eulod.

Namespaces and IRIs (:mod:`.namespaces`, :mod:`.iris`), configuration (:mod:`.config`), the
layout of a build folder and of each generation in it (:mod:`.generation`), reading a
generation (:mod:`.handle`, :mod:`.remote`, :mod:`.listing`, :mod:`.queryfiles`) and the
vocabularies every stage agrees on (:mod:`.countries`, :mod:`.years`). See ARCHITECTURE.md.
"""

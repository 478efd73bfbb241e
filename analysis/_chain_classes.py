"""Weighting classes of the weight chain: communities, with small ones pooled up the geography."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Merge", "weighting_classes"]


@dataclass(frozen=True)
class Merge:
    """One pooling of classes: the classes pooled (labels), the level and the respondents of the result."""

    level: str  # "street", "district" or "city"
    classes: tuple
    respondents: int


def _label(members) -> str:
    return "+".join(sorted(members))


def _count(g, respondents) -> int:
    return sum(respondents[c] for c in g)


def _pool(groups, key, level, respondents, minimum, merges):
    """Pool the groups below ``minimum`` respondents that share ``key`` (street or district) into one."""
    small: dict = {}
    for g in groups:
        if _count(g, respondents) < minimum:
            small.setdefault(key(g), []).append(g)
    out = [g for g in groups if _count(g, respondents) >= minimum]
    for _k, parts in sorted(small.items()):
        if len(parts) == 1:
            out.append(parts[0])
            continue
        new = frozenset().union(*parts)
        merges.append(Merge(level, tuple(_label(p) for p in parts), _count(new, respondents)))
        out.append(new)
    return sorted(out, key=_label)


def _join(small, big, respondents, places, merges) -> dict:
    """Step (c): each small group joins the large class nearest in ``places`` (street, district, city)."""
    into: dict = {}
    for g in small:
        for level, key in places:
            near = [b for b in big if key is None or {key[c] for c in b} & {key[c] for c in g}]
            if near:
                target = min(near, key=lambda b: (_count(b, respondents), _label(b)))
                into.setdefault(target, []).append((g, level))
                break
    classes = {}
    for b in big:
        members = set(b)
        for g, level in into.get(b, []):
            members |= g
            merges.append(Merge(level, (_label(g), _label(b)), _count(g, respondents) + _count(b, respondents)))
        classes.update({c: _label(members) for c in members})
    return classes


def weighting_classes(respondents: dict, street: dict, district: dict, minimum: int):
    """Classes (community -> class label) and the merges, by the rule of :func:`analysis.weight_chain`.

    ``respondents``, ``street`` and ``district`` map each community label (text) to its respondents, its
    street and its district.
    """
    merges: list[Merge] = []
    groups = [frozenset([c]) for c in sorted(respondents)]
    groups = _pool(groups, lambda g: street[min(g)], "street", respondents, minimum, merges)
    groups = _pool(groups, lambda g: district[min(g)], "district", respondents, minimum, merges)
    big = [g for g in groups if _count(g, respondents) >= minimum]
    small = [g for g in groups if _count(g, respondents) < minimum]
    if small and not big:  # the whole city is too small: one class
        new = frozenset().union(*small)
        if len(small) > 1:
            merges.append(Merge("city", tuple(_label(p) for p in small), _count(new, respondents)))
        return {c: _label(new) for c in new}, tuple(merges)
    places = (("street", street), ("district", district), ("city", None))
    return _join(small, big, respondents, places, merges), tuple(merges)

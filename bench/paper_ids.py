"""The options of each bench sitting's paper under that paper's own identifiers (every paper has its own: issue 12,
item 4), kept in the sessions file as one string per sitting: slots in order separated by "|", a slot's option
identifiers in the order shown separated by spaces. exam_setup.py writes it, the locust file answers with it and
exam_run.py checks the stored answers against it. No Django here: the locust process imports it."""


def pack(slots: list[list[str]]) -> str:
    """One sitting's option identifiers, slot by slot, as one string."""
    return "|".join(" ".join(ids) for ids in slots)


def option_id(packed: str, slot: int, k: int) -> str:
    """The identifier of the k-th option shown in `slot` (from 1); k wraps round a slot with fewer options."""
    ids = packed.split("|")[slot - 1].split()
    return ids[k % len(ids)]

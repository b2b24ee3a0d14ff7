from inquiry.tickets.references import PATTERN, new_reference, normalise_reference


def test_references_are_well_formed_and_distinct():
    refs = {new_reference() for _ in range(2000)}
    assert len(refs) == 2000 and all(PATTERN.match(r) for r in refs)


def test_typed_references_are_normalised():
    assert normalise_reference("inq 7k3m q9px") == "INQ-7K3M-Q9PX"
    assert normalise_reference("7K3M-Q9PX") == "INQ-7K3M-Q9PX"
    assert normalise_reference("INQ-OOOO-IIII") == "INQ-0000-1111"
    assert normalise_reference("INQ-7K3M") is None
    assert normalise_reference("") is None

"""field_decision on the fields of 6.12's ULPs, as rule 30 sees them."""

from field_decision import Facts, ours, why_fields_stay

MAP, CHECK, SYNC, UNMAP = ("ib_srpt.c", 10, 5), ("ib_srpt.c", 11, 5), \
    ("ib_srpt.c", 40, 9), ("ib_srpt.c", 60, 9)


def srpt_ioctx(**changes) -> Facts:
    """srpt's ioctx->dma: declared once, mapped with the full shape,
    synced and unmapped in forms the rule rewrites."""
    facts = Facts(decls={"dma": 1}, members={"dma": 1},
                  decl_struct={"dma": {"srpt_ioctx"}},
                  uses={"dma": [MAP, CHECK, SYNC, UNMAP]},
                  typed={k: "srpt_ioctx" for k in (MAP, CHECK, SYNC, UNMAP)},
                  maps_all={"dma": {MAP}}, maps_ok={"dma": {MAP}},
                  ok_pos={MAP, CHECK, SYNC, UNMAP})
    for name, value in changes.items():
        setattr(facts, name, value)
    return facts


def test_a_field_every_use_of_which_is_rewritten_converts():
    assert why_fields_stay(srpt_ioctx()) == {}


def test_a_use_the_rule_does_not_rewrite_keeps_the_field():
    facts = srpt_ioctx(ok_pos={MAP, CHECK, SYNC})
    assert why_fields_stay(facts) == {
        "dma": f"uses not followed: {[UNMAP]}"}


def test_a_use_through_another_struct_is_another_member():
    # rtrs: srv_path->dma_addr is an array of another struct
    facts = srpt_ioctx(ok_pos={MAP, CHECK, SYNC})
    facts.typed[UNMAP] = "rtrs_srv_path"
    assert not ours(facts, "dma", UNMAP)
    assert why_fields_stay(facts) == {}


def test_a_map_without_the_full_shape_keeps_the_field():
    other = ("ib_srpt.c", 90, 5)
    facts = srpt_ioctx(maps_all={"dma": {MAP, other}})
    assert why_fields_stay(facts)["dma"] == \
        f"maps without the full shape: {[other]}"
    # unless it is the map of a helper that gets the pd
    assert why_fields_stay(facts, {"dma": {other}}, {other}) == {}


def test_layout_and_sync_reasons_come_first():
    facts = srpt_ioctx(layout={"dma": "struct srpt_ioctx is pinned"},
                       sync_block={"dma": "synced before it is mapped"})
    assert why_fields_stay(facts)["dma"] == "struct srpt_ioctx is pinned"
    facts.layout = {}
    assert why_fields_stay(facts)["dma"] == "synced before it is mapped"


def test_one_name_in_two_structs_needs_a_typed_use_in_each():
    # iser: iser_tx_desc.dma_addr and iser_rx_desc.dma_addr
    facts = srpt_ioctx(decls={"dma": 2},
                       decl_struct={"dma": {"srpt_ioctx", "srpt_recv"}})
    assert why_fields_stay(facts)["dma"].startswith(
        "declared in ['srpt_ioctx', 'srpt_recv']")
    facts.typed[SYNC] = "srpt_recv"
    assert why_fields_stay(facts) == {}


def test_a_name_that_is_no_struct_member_here_stays():
    facts = srpt_ioctx(decls={}, members={})
    assert why_fields_stay(facts) == {"dma": "not a struct member here"}

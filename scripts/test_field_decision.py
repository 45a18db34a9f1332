"""field_decision on the fields of 6.12's ULPs, as rule 30 sees them."""

from field_decision import Facts, decide, ours, why_fields_stay

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


RX_MAP, RX_SYNC = ("ib_isert.c", 167, 20), ("ib_isert.c", 1345, 40)
TX_MAP, TX_SYNC = ("ib_isert.c", 856, 20), ("ib_isert.c", 835, 40)
RX, TX = "iser_rx_desc", "iser_tx_desc"


def isert_descs(**changes) -> Facts:
    """isert's dma_addr: a member of the receive and of the send
    descriptor, every use typed, each with its own access text."""
    texts = {RX_MAP: "rx_desc->dma_addr", RX_SYNC: "rx_desc->dma_addr",
             TX_MAP: "tx_desc->dma_addr", TX_SYNC: "tx_desc->dma_addr"}
    facts = Facts(decls={"dma_addr": 2}, members={"dma_addr": 2},
                  decl_struct={"dma_addr": {RX, TX}},
                  uses={"dma_addr": list(texts)},
                  typed={RX_MAP: RX, RX_SYNC: RX, TX_MAP: TX, TX_SYNC: TX},
                  maps_all={"dma_addr": {RX_MAP, TX_MAP}},
                  maps_ok={"dma_addr": {RX_MAP, TX_MAP}},
                  ok_pos=set(texts), texts=texts)
    for name, value in changes.items():
        setattr(facts, name, value)
    return facts


def test_a_reason_tied_to_one_struct_keeps_only_its_member():
    facts = isert_descs(struct_block={("dma_addr", TX): "synced before "
                                      "it is mapped"})
    d = decide(facts)
    assert d.fields == {}
    assert d.members == {("dma_addr", TX): "synced before it is mapped"}
    assert d.kept_texts == {"tx_desc->dma_addr"}


def test_a_use_not_followed_in_one_struct_keeps_only_its_member():
    facts = isert_descs(ok_pos={RX_MAP, RX_SYNC, TX_MAP})
    d = decide(facts)
    assert d.members == {("dma_addr", TX): f"uses not followed: {[TX_SYNC]}"}


def test_members_sharing_an_access_text_stay_together():
    # desc->dma_addr of both structs: a rewrite by text cannot tell them
    facts = isert_descs(struct_block={("dma_addr", TX): "synced before "
                                      "it is mapped"})
    facts.texts = {k: "desc->dma_addr" for k in facts.texts}
    d = decide(facts)
    assert d.members == {}
    assert "share the access desc->dma_addr" in d.fields["dma_addr"]


def test_an_untyped_use_keeps_the_whole_name():
    facts = isert_descs(struct_block={("dma_addr", TX): "synced before "
                                      "it is mapped"})
    del facts.typed[RX_SYNC]
    d = decide(facts)
    assert d.members == {}
    assert d.fields == {"dma_addr": "synced before it is mapped"}


def test_a_reason_in_every_struct_keeps_the_name():
    facts = isert_descs(struct_block={
        ("dma_addr", TX): "synced before it is mapped",
        ("dma_addr", RX): "struct iser_rx_desc is packed"})
    d = decide(facts)
    assert d.members == {}
    assert d.fields["dma_addr"] == (
        "in struct iser_rx_desc: struct iser_rx_desc is packed; "
        "in struct iser_tx_desc: synced before it is mapped")


def test_a_struct_without_a_use_keeps_its_member():
    facts = isert_descs()
    facts.uses["dma_addr"] = [RX_MAP, RX_SYNC]
    d = decide(facts)
    assert d.fields == {}
    assert d.members == {("dma_addr", TX): "no use of it in struct "
                         "iser_tx_desc"}

"""field_scan: the tables rule 30 fills and the decisions finish() takes
once the scan is complete, on facts shaped after 6.12's ULPs (spatch
fills them for real in the golden tests of test_cocci_golden)."""

import pytest

import field_scan as scan

MAP, CHECK, SYNC, UNMAP = ("ib_srpt.c", 10, 5), ("ib_srpt.c", 11, 5), \
    ("ib_srpt.c", 40, 9), ("ib_srpt.c", 60, 9)


@pytest.fixture(autouse=True)
def empty_tables():
    scan.reset()
    yield
    scan.reset()


def tables() -> dict[str, object]:
    return {name: value for name, value in vars(scan).items()
            if isinstance(value, (dict, set, list))
            and not name.startswith("_")}


def srpt_ioctx() -> None:
    """srpt's ioctx->dma as the scan records it: declared once in struct
    srpt_ioctx, mapped with the full shape, synced and unmapped in forms
    the rule rewrites, every use typed."""
    scan.decls["dma"] = 1
    scan.members["dma"] = 1
    scan.decl_struct["dma"] = {"srpt_ioctx"}
    scan.struct_members["srpt_ioctx"] = {"dma", "buf", "index"}
    scan.uses["dma"] = [MAP, CHECK, SYNC, UNMAP]
    scan.typed.update({k: "srpt_ioctx" for k in (MAP, CHECK, SYNC, UNMAP)})
    scan.maps_all["dma"] = {MAP}
    scan.maps_ok["dma"] = {MAP}
    scan.ok_pos.update({MAP, CHECK, SYNC, UNMAP})
    scan.map_bufs["dma"] = {"ioctx->buf"}


def test_a_field_that_converts_is_renamed_for_the_sge_it_holds():
    srpt_ioctx()
    scan.finish()
    assert "dma" not in scan.blocked
    assert scan.conv("ioctx->dma") and scan.conv("ioctx -> dma")
    assert scan.renamed == {"dma": "sge"}


def test_a_field_keeps_its_name_when_spatch_cannot_type_a_use(capsys,
                                                              monkeypatch):
    monkeypatch.setenv("RDMA_SGE_COCCI_DEBUG", "1")
    srpt_ioctx()
    del scan.typed[SYNC]
    scan.finish()
    assert "dma" not in scan.blocked and scan.renamed == {}
    assert "rule 30: dma keeps its name: spatch cannot type every use" in \
        capsys.readouterr().err


def test_a_map_into_a_local_with_another_use_keeps_the_field(capsys,
                                                             monkeypatch):
    """iser's tx descriptor: dma_addr = ib_dma_map_single(); check; ...
    desc->dma_addr = dma_addr; converts only when the local has no use
    but the map, its check and the store."""
    monkeypatch.setenv("RDMA_SGE_COCCI_DEBUG", "1")
    srpt_ioctx()
    scan.maps_all["dma"] = set()
    scan.maps_ok["dma"] = set()
    local_map, local_check, store = ("ib_srpt.c", 8, 2), \
        ("ib_srpt.c", 9, 6), ("ib_srpt.c", 12, 2)
    scan.tmp_maps.append(("srpt_alloc_ioctx", "dma_addr", "dma", local_map,
                          store, {local_map, local_check, store}))
    scan.tmp_uses[("srpt_alloc_ioctx", "dma_addr")] = {
        local_map, local_check, store}
    scan.finish()
    assert "dma" not in scan.blocked
    assert scan.tmp_ok == {local_map} and scan.tmp_dead == {"dma_addr"}

    scan.reset()
    srpt_ioctx()
    scan.maps_all["dma"] = set()
    scan.maps_ok["dma"] = set()
    printed = ("ib_srpt.c", 13, 30)  # pr_debug("%llx", dma_addr)
    scan.tmp_maps.append(("srpt_alloc_ioctx", "dma_addr", "dma", local_map,
                          store, {local_map, local_check, store}))
    scan.tmp_uses[("srpt_alloc_ioctx", "dma_addr")] = {
        local_map, local_check, store, printed}
    scan.finish()
    assert scan.blocked == {"dma"} and scan.tmp_ok == set()
    assert "rule 30: dma stays: maps without the full shape" in \
        capsys.readouterr().err


def test_a_length_read_only_as_an_unmap_size_goes_with_its_field():
    """isert's pdu_buf_len: stored, then read only as the size of the
    field's unmaps, which now take the sge's own length."""
    srpt_ioctx()
    size_store, size_read = ("ib_srpt.c", 14, 2), ("ib_srpt.c", 60, 30)
    scan.members["dma_len"] = 1
    scan.lenuse["dma_len"] = {size_read}
    scan.lenfld["dma_len"] = {"dma"}
    scan.lenstore["dma_len"] = {size_store}
    scan.lenall["dma_len"] = {size_store, size_read}
    scan.finish()
    assert scan.dead_len == {"dma_len"}

    scan.dead_len.clear()
    scan.lenall["dma_len"].add(("ib_srpt.c", 70, 8))  # another reader
    scan.finish()
    assert scan.dead_len == set()


def test_reset_empties_every_table():
    """A table added to field_scan and left out of reset() would carry
    one group's facts into the next spatch group."""
    srpt_ioctx()
    scan.finish()
    for table in tables().values():
        if isinstance(table, list):
            table.append(("x.c", 1, 1))
        elif isinstance(table, set):
            table.add(("x.c", 1, 1))
        else:
            table[("x.c", 1, 1)] = {("x.c", 1, 1)}
    scan.sync_facts.add_map("dma", scan.sge_sync.Map(
        "f", "buf", "4096", "ioctx", "srpt_ioctx"))
    scan.reset()
    left = {name for name, table in tables().items() if table}
    # the rule's fixed tables, not facts of a file
    assert left <= {"dev_getters"}, sorted(left)
    assert scan.sync_facts == type(scan.sync_facts)()

"""Unit tests of sge_families: facts as rule 10 collects them on
fs/smb/server/transport_rdma.c (6.12)."""

from sge_families import Facts, own_families

RECV = ("smb_direct_recvmsg", "sge")
SEND = ("smb_direct_sendmsg", "sge")
F = "transport_rdma.c"


def ksmbd_facts() -> Facts:
    """recvmsg->sge in put_recvmsg(), recv_done(), smb_direct_post_recv()
    (posted as wr.sg_list = &recvmsg->sge); msg->sge[...] of the send
    message, an array; a local struct ib_sge *sge (untyped) in
    smb_direct_post_send_data()."""
    facts = Facts(members={RECV})
    for line in (271, 273, 549, 655, 658, 661, 667, 674):
        facts.accesses[(F, line, 20)] = ("recvmsg->sge", "sge")
        facts.typed[(F, line, 20)] = RECV
    facts.addresses[(F, 667, 20)] = "sge"
    facts.posted.add((F, 667, 20))
    # the send message's array: typed, but not a plain member
    for line in (472, 1064, 1075):
        facts.accesses[(F, line, 30)] = ("msg->sge", "sge")
        facts.typed[(F, line, 30)] = SEND
    facts.addresses[(F, 1210, 12)] = "sge"        # &msg->sge[msg->num_sge]
    facts.typed[(F, 1210, 12)] = SEND
    return facts


def test_a_plain_member_only_posted_is_its_own_family():
    assert own_families(ksmbd_facts()) == {"recvmsg->sge": RECV}


def test_an_array_member_is_never_its_own_family():
    own = own_families(ksmbd_facts())
    assert "msg->sge" not in own


def test_an_address_taken_other_than_to_post_joins_the_name():
    """struct ib_sge *sge = &recvmsg->sge; sge->length = n;"""
    facts = ksmbd_facts()
    facts.addresses[(F, 900, 22)] = "sge"
    facts.typed[(F, 900, 22)] = RECV
    assert own_families(facts) == {}


def test_an_untyped_address_of_that_name_may_be_the_member():
    """&lookup(t)->sge: spatch does not know the struct."""
    facts = ksmbd_facts()
    facts.addresses[(F, 901, 9)] = "sge"
    assert own_families(facts) == {}


def test_an_untyped_address_of_another_name_does_not_matter():
    facts = ksmbd_facts()
    facts.addresses[(F, 901, 9)] = "send_sge"
    assert own_families(facts) == {"recvmsg->sge": RECV}


def test_a_text_spatch_did_not_type_everywhere_stays_with_the_name():
    """recvmsg->sge in a function where recvmsg comes from a macro
    spatch cannot type: the same text may name another sge there."""
    facts = ksmbd_facts()
    facts.accesses[(F, 1858, 8)] = ("recvmsg->sge", "sge")
    assert own_families(facts) == {}


def test_a_text_typed_as_two_structs_is_no_family():
    facts = ksmbd_facts()
    other = ("smbd_response", "sge")
    facts.members.add(other)
    facts.accesses[(F, 1300, 8)] = ("recvmsg->sge", "sge")
    facts.typed[(F, 1300, 8)] = other
    assert own_families(facts) == {}

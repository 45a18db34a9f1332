"""The JMake-style check against the real preprocessor (gcc -E)."""

import subprocess

import compiled_lines

SOURCE = """\
#include <stddef.h>
#define unlikely(x) __builtin_expect(!!(x), 0)
int rdma_map_sge_single(void *pd, void *sge, void *buf, unsigned int len,
			int dir);

static int map(void *pd, void *sge, void *buf)
{
	if (unlikely(rdma_map_sge_single(pd, sge, buf,
					 16, 1)))
		return -1;
#ifdef CONFIG_RDS_DEBUG
	if (rdma_map_sge_single(pd, sge, buf, 32, 1))
		return -2;
#else
	/* a comment only */
	buf = NULL;
#endif
#if defined(CONFIG_A) && \\
    defined(CONFIG_B)
	buf = sge;
#endif
	return 0;
}
"""


def preprocess(tmp_path, *defines):
    src = tmp_path / "ulp.c"
    src.write_text(SOURCE)
    out = subprocess.run(["gcc", "-E", *defines, "ulp.c"], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout
    return compiled_lines.emitted_lines(out, "ulp.c")


def test_lines_under_an_untaken_ifdef_were_not_compiled(tmp_path):
    emitted = preprocess(tmp_path)
    changed = [8, 9, 12, 13, 16, 20]
    assert compiled_lines.uncompiled(SOURCE, changed, emitted) == \
        [12, 13, 20]


def test_taken_branches_count_as_compiled(tmp_path):
    emitted = preprocess(tmp_path, "-DCONFIG_RDS_DEBUG", "-DCONFIG_A",
                         "-DCONFIG_B")
    assert compiled_lines.uncompiled(SOURCE, [8, 9, 12, 13, 16, 20],
                                     emitted) == [16]


def test_a_file_never_preprocessed_proves_nothing():
    assert compiled_lines.uncompiled(SOURCE, [8, 15], set()) == [8]


def test_groups_follow_elif_and_else():
    chains = compiled_lines.conditional_groups(SOURCE)
    assert chains[11] == (11,) and chains[15] == (14,)
    assert chains[19] == (18,) and chains[21] == ()


def test_added_lines_from_a_diff():
    diff = """\
diff --git a/net/9p/trans_rdma.c b/net/9p/trans_rdma.c
--- a/net/9p/trans_rdma.c
+++ b/net/9p/trans_rdma.c
@@ -10,4 +10,5 @@ struct p9_rdma_context {
 	struct ib_cqe cqe;
-	dma_addr_t busa;
+	struct ib_sge busa;
+	int added;
 	union {
@@ -40,2 +41,2 @@ post_recv(struct p9_client *client)
-	old();
+	new();
 	x();
"""
    assert compiled_lines.added_lines(diff) == {
        "net/9p/trans_rdma.c": [11, 12, 41]}

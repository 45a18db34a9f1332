// SPDX-License-Identifier: GPL-2.0-only
/// Fold the unmap of an array's first sge and the loop over the others
/// into one loop once both are rdma_unmap_sge().  The original code
/// released the first sge (a header, mapped single) apart from the others
/// (pages, mapped as pages); rdma_unmap_sge() releases both with the same
/// call, and the split left behind reads like two different releases
/// (ksmbd's smb_direct_free_sendmsg()).
///
/// Only when the count and the array are read without a call (so reading
/// them again in the loop's test reads the same) and the index is a
/// signed int local (so a count below 1 still runs no iteration).
//
// Confidence: High
// Options: --no-includes --include-headers --smpl-spacing

virtual patch
virtual context
virtual org
virtual report

@initialize:python@
@@
def no_call(x):
    """reading x twice reads the same thing: no call in it"""
    return "(" not in x

@fold depends on patch@
expression DEV, DIR;
expression N : script:python () { no_call(N) };
expression A : script:python () { no_call(A) };
local idexpression int I;
@@
- if (N > 0) {
-	rdma_unmap_sge(DEV, &A[0], DIR);
-	for (I = 1; I < N; I++)
-		rdma_unmap_sge(DEV, &A[I], DIR);
- }
+ for (I = 0; I < N; I++)
+	rdma_unmap_sge(DEV, &A[I], DIR);

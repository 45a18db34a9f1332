// SPDX-License-Identifier: GPL-2.0-only
/// Drop the reset of an sge address in the branch taken when its builder
/// failed: rdma_map_sge_single() and rdma_map_sge_page() clear the sge on
/// failure, so `X.addr = 0;` there stores the value X.addr already holds.
/// The reset came from the original code, which stored the failed map's
/// error cookie in the address and then cleared it by hand (isert's login
/// buffers, SMC's link buffers, whose error paths test the address before
/// they unmap).
///
/// Only when nothing between the failed call and the reset can change
/// which sge X names or what it holds: X has no index but a constant and
/// no call, and the branch reaches the reset through statements that do
/// not mention X and call nothing but message macros.
//
// Confidence: High
// Options: --no-includes --include-headers

virtual patch
virtual context
virtual org
virtual report

@initialize:python@
@@
import re

def stable(x):
    """x always names the same object: members, constant indices, no calls"""
    if "(" in x:
        return False
    return all(re.fullmatch(r"\s*\d+\s*", i) for i in re.findall(r"\[([^]]*)\]", x))

// calls allowed before the reset: messages only
@dot depends on patch disable unlikely@
expression PD, RET;
expression E : script:python () { stable(E) };
identifier F !~ "^(pr_[A-Za-z0-9_]+|printk|dev_[A-Za-z0-9_]+|ibdev_[A-Za-z0-9_]+|[A-Za-z0-9_]+_err|[A-Za-z0-9_]+_warn|[A-Za-z0-9_]+_dbg|[A-Za-z0-9_]+_info|[A-Za-z0-9_]+_notice|WARN[A-Za-z0-9_]*)$";
@@
(
 if (\(rdma_map_sge_single\|rdma_map_sge_page\)(PD, &E, ...)) {
  ... when != E
      when != F(...)
- E.addr = 0;
  ...
 }
|
 RET = \(rdma_map_sge_single\|rdma_map_sge_page\)(PD, &E, ...);
 if (RET) {
  ... when != E
      when != F(...)
- E.addr = 0;
  ...
 }
|
 RET = \(rdma_map_sge_single\|rdma_map_sge_page\)(PD, &E, ...);
 if (RET < 0) {
  ... when != E
      when != F(...)
- E.addr = 0;
  ...
 }
)

@arrow depends on patch disable unlikely@
expression PD, RET;
expression P : script:python () { stable(P) };
identifier F !~ "^(pr_[A-Za-z0-9_]+|printk|dev_[A-Za-z0-9_]+|ibdev_[A-Za-z0-9_]+|[A-Za-z0-9_]+_err|[A-Za-z0-9_]+_warn|[A-Za-z0-9_]+_dbg|[A-Za-z0-9_]+_info|[A-Za-z0-9_]+_notice|WARN[A-Za-z0-9_]*)$";
@@
(
 if (\(rdma_map_sge_single\|rdma_map_sge_page\)(PD, P, ...)) {
  ... when != P
      when != F(...)
- P->addr = 0;
  ...
 }
|
 RET = \(rdma_map_sge_single\|rdma_map_sge_page\)(PD, P, ...);
 if (RET) {
  ... when != P
      when != F(...)
- P->addr = 0;
  ...
 }
|
 RET = \(rdma_map_sge_single\|rdma_map_sge_page\)(PD, P, ...);
 if (RET < 0) {
  ... when != P
      when != F(...)
- P->addr = 0;
  ...
 }
)

/// Say why an ib_dma_*() or local_dma_lkey site is still there: the shape
/// of the code around it that keeps the conversion rules away.
///
/// Companion of ib_dma_leftovers.cocci, which finds the sites; this file
/// only classifies the local_dma_lkey uses and notes the scatterlist
/// mappings that feed ib_map_mr_sg() in the same function.
//
// Confidence: High
// Comments: struct ib_sge types are resolved from headers, so run it with
//  --include-headers-for-types and the tree's include paths.
// Options: --local-includes --include-headers-for-types --include-headers

virtual report
virtual org
virtual context

@runtime_choice depends on report || org@
expression C, E, E1;
position p;
@@

(
  C ? E->local_dma_lkey@p : E1
|
  C ? E1 : E->local_dma_lkey@p
)

@runtime_compare depends on report || org@
expression E, E1;
position p;
binary operator op = {==, !=};
@@

  E1 op E->local_dma_lkey@p

@sge_fill depends on report || org@
struct ib_sge S;
struct ib_sge *P;
expression E;
position p;
@@

(
  S.lkey = E->local_dma_lkey@p
|
  P->lkey = E->local_dma_lkey@p
)

@cached_in_field depends on report || org@
expression X, E;
identifier f != lkey;
position p;
@@

(
  X->f = E->local_dma_lkey@p
|
  X.f = E->local_dma_lkey@p
)

@cached_in_initializer depends on report || org@
identifier x, f;
type T;
expression E;
position p;
@@

  T x = { ..., .f = E->local_dma_lkey@p, ... };

@initializer_field depends on report || org@
identifier x;
type T;
expression E;
position p;
@@

  T x = { ..., .local_dma_lkey@p = E, ... };

@cached_lkey_field depends on report || org@
expression X, E;
position p != sge_fill.p;
@@

(
  X->lkey = E->local_dma_lkey@p
|
  X.lkey = E->local_dma_lkey@p
)

@feeds_mr depends on report || org@
identifier map =~ "^ib_dma_map_sg";
expression dev, sg, n, dir, mr, n2, off, sz;
position p;
@@

  map@p(dev, sg, n, dir, ...)
  ... when any
  ib_map_mr_sg(mr, sg, n2, off, sz)

@script:python depends on report@
p << runtime_choice.p;
@@
coccilib.report.print_report(p[0], "REASON lkey chosen at run time "
                             "(MR lkey or local lkey)")

@script:python depends on report@
p << runtime_compare.p;
@@
coccilib.report.print_report(p[0], "REASON lkey compared at run time")

@script:python depends on report@
p << sge_fill.p;
@@
coccilib.report.print_report(p[0], "REASON sge filled by hand with the "
                             "local lkey (convertible; no rule has "
                             "converted it)")

@script:python depends on report@
p << cached_in_field.p;
f << cached_in_field.f;
@@
coccilib.report.print_report(p[0], "REASON lkey cached in ULP field %s" % f)

@script:python depends on report@
p << cached_in_initializer.p;
f << cached_in_initializer.f;
@@
coccilib.report.print_report(p[0], "REASON lkey cached in ULP field %s" % f)

@script:python depends on report@
p << initializer_field.p;
@@
coccilib.report.print_report(p[0], "REASON lkey cached in ULP field "
                             "local_dma_lkey")

@script:python depends on report@
p << cached_lkey_field.p;
@@
coccilib.report.print_report(p[0], "REASON lkey stored where spatch cannot "
                             "tell an sge from a cached lkey (type not "
                             "resolved)")

@script:python depends on report@
p << feeds_mr.p;
@@
coccilib.report.print_report(p[0], "REASON scatterlist mapped for "
                             "ib_map_mr_sg() in the same function")

@script:python depends on org@
p << runtime_choice.p;
@@
coccilib.org.print_todo(p[0], "lkey chosen at run time")

@script:python depends on org@
p << cached_in_field.p;
@@
coccilib.org.print_todo(p[0], "lkey cached in a ULP field")

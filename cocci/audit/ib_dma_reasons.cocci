/// Say why an ib_dma_*() or local_dma_lkey site is still there: the shape
/// of the code around it that keeps the conversion rules away.
///
/// Companion of ib_dma_leftovers.cocci, which finds the sites; this file
/// classifies the local_dma_lkey uses, notes the scatterlist mappings that
/// feed ib_map_mr_sg() in the same function, and names the places a DMA
/// handle is kept where the conversion rules, which follow an sge or one
/// u64/dma_addr_t field, cannot follow it: an array of bare handles, a
/// handle returned through a pointer or passed in as a parameter, an
/// address read through an accessor function, a scatterlist entry's DMA
/// address.
//
// Confidence: High
// Comments: struct ib_sge types are resolved from headers, so run it with
//  --include-headers-for-types and the tree's include paths.
// Options: --local-includes --include-headers-for-types --include-headers

virtual report
virtual org
virtual context

@initialize:python depends on report@
@@
# functions of the file that map a buffer, a page or a list
mapping_functions = set()

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

@mapper depends on report || org@
identifier map =~ "^ib_dma_map_(single|page|sg|sgtable_attrs)$";
position q;
@@

  map@q(...)

@script:python depends on report@
q << mapper.q;
@@
mapping_functions.add(q[0].current_element)

@handle_in_array depends on report || org@
identifier map =~ "^ib_dma_map_(single|page)$";
identifier use =~ "^ib_dma_(mapping_error|unmap_single|unmap_page|sync_single_for_cpu|sync_single_for_device)$";
expression A, I, D;
position p;
@@

(
  A[I] = map@p(...)
|
  use@p(D, A[I], ...)
)

@handle_out_param depends on report || org@
identifier map =~ "^ib_dma_map_(single|page)$";
identifier use =~ "^ib_dma_(mapping_error|unmap_single|unmap_page|sync_single_for_cpu|sync_single_for_device)$";
expression P, D;
position p;
@@

(
  *P = map@p(...)
|
  use@p(D, *P, ...)
)

@handle_param depends on report || org@
identifier use =~ "^ib_dma_(mapping_error|unmap_single|unmap_page|sync_single_for_cpu|sync_single_for_device)$";
identifier f, a;
type T;
expression D;
position p;
@@

  f(..., T a, ...) {
  ... when any
  use@p(D, a, ...)
  ... when any
  }

@sg_entry depends on report || org@
identifier use =~ "^ib_dma_(unmap_single|unmap_page|sync_single_for_cpu|sync_single_for_device)$";
expression D, S;
position p;
@@

  use@p(D, sg_dma_address(S), ...)

@accessor depends on report || org@
identifier use =~ "^ib_dma_(mapping_error|unmap_single|unmap_page|sync_single_for_cpu|sync_single_for_device)$";
identifier get != sg_dma_address;
expression D;
expression list args;
position p;
@@

  use@p(D, get(args), ...)

@script:python depends on report@
p << handle_in_array.p;
@@
coccilib.report.print_report(p[0], "REASON the DMA handle is an element of "
                             "an array of bare handles, copied into sges "
                             "elsewhere: no rule converts an array of "
                             "handles (by hand: an array of struct ib_sge "
                             "in its place)")

@script:python depends on report@
p << handle_out_param.p;
@@
coccilib.report.print_report(p[0], "REASON the DMA handle is returned "
                             "through a pointer: the rules follow an sge "
                             "or a field, not a helper's out parameter")

@script:python depends on report@
p << handle_param.p;
@@
coccilib.report.print_report(p[0], "REASON the DMA handle comes in as a "
                             "parameter of the function: its map is in a "
                             "caller, which no rule ties it to")

@script:python depends on report@
p << sg_entry.p;
@@
coccilib.report.print_report(p[0], "REASON one entry of a mapped "
                             "scatterlist, by its DMA address: goes with "
                             "the scatterlist step")

@script:python depends on report@
p << accessor.p;
@@
coccilib.report.print_report(p[0], "REASON the address is read through an "
                             "accessor function: the rules follow the sge "
                             "or field itself")

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
if p[0].current_element in mapping_functions:
    coccilib.report.print_report(p[0], "REASON sge filled by hand with the "
                                 "local lkey (convertible; no rule has "
                                 "converted it)")
else:
    coccilib.report.print_report(p[0], "REASON the lkey of an sge set up "
                                 "apart from any map (no map in this "
                                 "function): its address comes from a "
                                 "handle mapped elsewhere, which has to "
                                 "become an sge first")

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

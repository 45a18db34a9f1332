/// Find what is left to convert to the ib_sge builder API: every call of an
/// ib_dma_*() DMA wrapper from include/rdma/ib_verbs.h, every use of
/// local_dma_lkey, and out-of-line ib_dma_*() definitions or struct fields
/// named local_dma_lkey.
///
/// A ULP should build its struct ib_sge with rdma_map_sge_single() and
/// friends, which take the lkey from the pd and hide whether the device wants
/// a DMA address or a CPU address.
//
// Confidence: High
// Comments: finds sites only; nothing is rewritten.
// Options: --no-includes --include-headers

virtual report
virtual org
virtual context

@call depends on report || org@
identifier fn =~ "^ib_dma_";
expression list args;
position p;
@@

fn@p(args)

@lkey_deref depends on report || org@
expression E;
position p;
@@

E->local_dma_lkey@p

@lkey_dot depends on report || org@
expression E;
position p;
@@

E.local_dma_lkey@p

@lkey_designator depends on report || org@
identifier x;
type T;
expression E;
position p;
@@

T x = { ..., .local_dma_lkey@p = E, ... };

@wrapper_def depends on report || org@
identifier fn =~ "^ib_dma_";
type T;
parameter list ps;
position p;
@@

T fn@p(ps) { ... }

@lkey_field depends on report || org@
identifier S;
type T;
position p;
@@

struct S { ...
  T local_dma_lkey@p;
  ...
};

@call_context depends on context@
identifier fn =~ "^ib_dma_";
expression list args;
@@

* fn(args)

@lkey_context depends on context@
expression E;
@@

(
* E->local_dma_lkey
|
* E.local_dma_lkey
)

@script:python depends on report@
fn << call.fn;
p << call.p;
@@
for q in p:
    coccilib.report.print_report(q, "SITE call %s in %s" % (fn, q.current_element))

@script:python depends on report@
p << lkey_deref.p;
@@
for q in p:
    coccilib.report.print_report(q, "SITE lkey local_dma_lkey in %s" % q.current_element)

@script:python depends on report@
p << lkey_dot.p;
@@
for q in p:
    coccilib.report.print_report(q, "SITE lkey local_dma_lkey in %s" % q.current_element)

@script:python depends on report@
p << lkey_designator.p;
@@
coccilib.report.print_report(p[0], "SITE lkey local_dma_lkey in %s" % p[0].current_element)

@script:python depends on report@
fn << wrapper_def.fn;
p << wrapper_def.p;
@@
coccilib.report.print_report(p[0], "SITE definition %s in %s" % (fn, fn))

@script:python depends on report@
S << lkey_field.S;
p << lkey_field.p;
@@
coccilib.report.print_report(p[0], "SITE field local_dma_lkey in struct %s" % S)

@script:python depends on org@
fn << call.fn;
p << call.p;
@@
coccilib.org.print_todo(p[0], "call of %s" % fn)

@script:python depends on org@
p << lkey_deref.p;
@@
coccilib.org.print_todo(p[0], "use of local_dma_lkey")

@script:python depends on org@
p << lkey_dot.p;
@@
coccilib.org.print_todo(p[0], "use of local_dma_lkey")

@script:python depends on org@
p << lkey_designator.p;
@@
coccilib.org.print_todo(p[0], "use of local_dma_lkey")

@script:python depends on org@
fn << wrapper_def.fn;
p << wrapper_def.p;
@@
coccilib.org.print_todo(p[0], "definition of %s" % fn)

@script:python depends on org@
p << lkey_field.p;
@@
coccilib.org.print_todo(p[0], "field local_dma_lkey")

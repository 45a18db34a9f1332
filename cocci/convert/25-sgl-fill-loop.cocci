// SPDX-License-Identifier: GPL-2.0-only
/// A for_each_sg() loop whose body is nothing but the fill of entry i of an
/// sge array, rdma_fill_ib_sge_from_sgl(pd, &sge[i], 1, sg, 1) (what rule 20
/// makes of rtrs-clt's data sges), becomes one call over the list,
/// rdma_fill_ib_sge_from_sgl(pd, sge, n, sgl, n): the same sges in the same
/// order from the same walk of the list, and nothing filled for n == 0 in
/// both.  It cannot fail where the loop could not: with max_sge == nents it
/// refuses only n <= 0, when the loop fills nothing either.
///
/// Only when the pd and the array contain no call (the loop evaluated them
/// once per entry), n is a variable, and the entry variable has no use
/// outside the loop (after the loop it holds the entry past the last).  An
/// index still used outside the loop is given its value after the loop
/// (i = n;), only when n is unsigned: for a negative n the loop leaves i at
/// 0.  A loop variable left with no use loses its declaration.  A loop that
/// does more than fill (nvme-rdma sums the lengths and moves a pointer)
/// stays.
//
// Confidence: High
// Options: --no-includes --include-headers

virtual patch
virtual context
virtual org
virtual report

@initialize:python@
@@
loops = {}          # loop -> (function, first, last (line, column))
index_used = set()  # loops whose index is used outside the loop
entry_used = set()  # loops whose entry variable is used outside the loop
n_unsigned = set()  # loops counting with an unsigned variable
drop = set()        # (function, variable) declarations left unused

def loop_key(p):
    return (p[0].file, p[0].line, p[0].column)

def outside(p, q):
    fn, first, last = loops[loop_key(p)]
    here = (int(q[0].line), int(q[0].column))
    return q[0].current_element == fn and not first <= here <= last

def no_call(e):
    # any parenthesis: a call through a function pointer, (*fn)(x), has no
    # name before its argument list (as fill_order.length_reads_sge)
    return "(" not in e

def may_fold(p, set_index):
    k = loop_key(p)
    if k not in loops or k in entry_used:
        return False
    if set_index:
        return k in index_used and k in n_unsigned
    return k not in index_used

@loop depends on patch@
iterator name for_each_sg;
expression SGL;
expression PD : script:python () { no_call(PD) };
expression S : script:python () { no_call(S) };
identifier SG, I;
idexpression N;
position p, pc;
@@
(
for_each_sg@p(SGL, SG, N, I) {
  rdma_fill_ib_sge_from_sgl(PD, &S[I], 1, SG, 1@pc);
}
|
for_each_sg@p(SGL, SG, N, I)
  rdma_fill_ib_sge_from_sgl(PD, &S[I], 1, SG, 1@pc);
)

@script:python@
p << loop.p;
pc << loop.pc;
@@
loops[loop_key(p)] = (p[0].current_element,
                      (int(p[0].line), int(p[0].column)),
                      (int(pc[0].line_end), int(pc[0].column_end)))

@index_use depends on loop@
identifier loop.I;
position q;
@@
I@q

@script:python@
p << loop.p;
q << index_use.q;
@@
if outside(p, q):
    index_used.add(loop_key(p))

@entry_use depends on loop@
identifier loop.SG;
position q;
@@
SG@q

@script:python@
p << loop.p;
q << entry_use.q;
@@
if outside(p, q):
    entry_used.add(loop_key(p))

@count_type depends on loop@
typedef u32;
{u32, unsigned int, unsigned long, size_t} N;
iterator name for_each_sg;
expression loop.SGL;
identifier loop.SG, loop.I;
position loop.p;
statement B;
@@
for_each_sg@p(SGL, SG, N, I) B

@script:python@
p << loop.p;
n << count_type.N;
@@
n_unsigned.add(loop_key(p))

@fold depends on patch@
iterator name for_each_sg;
expression SGL, PD, S;
identifier SG, I;
idexpression N;
position p1 : script:python () { may_fold(p1, True) };
position p2 : script:python () { may_fold(p2, False) };
@@
(
- for_each_sg@p1(SGL, SG, N, I) {
-   rdma_fill_ib_sge_from_sgl(PD, &S[I], 1, SG, 1);
- }
+ rdma_fill_ib_sge_from_sgl(PD, S, N, SGL, N);
+ I = N;
|
- for_each_sg@p1(SGL, SG, N, I)
-   rdma_fill_ib_sge_from_sgl(PD, &S[I], 1, SG, 1);
+ rdma_fill_ib_sge_from_sgl(PD, S, N, SGL, N);
+ I = N;
|
- for_each_sg@p2(SGL, SG, N, I) {
-   rdma_fill_ib_sge_from_sgl(PD, &S[I], 1, SG, 1);
- }
+ rdma_fill_ib_sge_from_sgl(PD, S, N, SGL, N);
|
- for_each_sg@p2(SGL, SG, N, I)
-   rdma_fill_ib_sge_from_sgl(PD, &S[I], 1, SG, 1);
+ rdma_fill_ib_sge_from_sgl(PD, S, N, SGL, N);
)

@script:python@
p << fold.p1;
sg << fold.SG;
@@
drop.add((p[0].current_element, sg))

@script:python@
p << fold.p2;
sg << fold.SG;
i << fold.I;
@@
drop.add((p[0].current_element, sg))
drop.add((p[0].current_element, i))

@depends on patch@
type T;
identifier V;
position pv : script:python (V) { (pv[0].current_element, V) in drop };
@@
- T V@pv;

// SPDX-License-Identifier: GPL-2.0-only
/// A parameter that the conversion left unused goes, with the argument
/// each caller passes for it: a builder takes the whole sge, so a size or
/// a device that only fed ib_dma_unmap_single() is read no more
/// (nvme-rdma's nvme_rdma_free_qe() and the capsule_size that
/// nvme_rdma_free_ring() then passes on for nothing).
///
/// Only a static function that is only ever called, only a parameter that
/// was used before the conversion (the driver runs this rule in report
/// mode on the original first and names those in RDMA_SGE_BEFORE), and
/// only arguments without side effects.  The decisions are made in
/// scripts/unused_params.py.  The driver runs the rule until nothing
/// changes, so a parameter that only fed a removed one goes too.
//
// Confidence: High
// Options: --no-includes --include-headers
// Passes: until unchanged

virtual patch
virtual report

@initialize:python@
@@
import os
import sys
import unused_params

before = unused_params.decode(os.environ.get("RDMA_SGE_BEFORE", ""))
calls = {}    # (file, function) -> call positions
impure = {}   # (file, function) -> an argument with side effects
drop = {}     # (file, function) -> the parameter this pass removes

@defined@
identifier fn;
type T;
@@
static T fn(...) {...}

@called@
identifier defined.fn;
expression list es;
position cp;
@@
fn@cp(es)

@script:python@
fn << defined.fn;
cp << called.cp;
@@
calls.setdefault((cp[0].file, fn), set()).add((cp[0].line, cp[0].column))

@unused@
identifier fn, p;
type T, PT;
parameter list[n] ps;
position pos;
@@
static T fn@pos(ps, PT p, ...)
{
  ... when != p
}

@script:python depends on report@
fn << unused.fn;
p << unused.p;
pos << unused.pos;
@@
print("UNUSED %s %s %s" % (pos[0].file, fn, p))

@args depends on patch@
identifier unused.fn;
expression list[unused.n] es;
expression E;
position ap;
@@
fn(es, E@ap, ...)

@script:python depends on args@
fn << unused.fn;
e << args.E;
ap << args.ap;
@@
if not unused_params.pure_argument(e):
    impure.setdefault((ap[0].file, fn), e)

@script:python depends on patch@
fn << unused.fn;
p << unused.p;
n << unused.n;
pos << unused.pos;
@@
key = (pos[0].file, fn)
if (pos[0].file, fn, p) in before or key in drop:
    cocci.include_match(False)
else:
    with open(pos[0].file, errors="surrogateescape") as src:
        why = unused_params.only_called(src.read(), fn,
                                        len(calls.get(key, ())))
    if why is None and key in impure:
        why = "an argument has side effects: " + impure[key]
    if why:
        sys.stderr.write("rule 40: %s stays: %s\n" % (p, why))
        cocci.include_match(False)
    else:
        drop[key] = p

@depends on patch@
identifier unused.fn, unused.p;
type unused.T, unused.PT;
parameter list[unused.n] unused.ps;
position unused.pos;
@@
static T fn@pos(ps,
- PT p,
  ...)
{
  ...
}

@depends on patch@
identifier unused.fn, unused.p;
type unused.T, unused.PT;
parameter list[unused.n] ps2;
@@
static T fn(ps2,
- PT p,
  ...);

@depends on patch@
identifier unused.fn;
expression list[unused.n] es;
expression E;
@@
fn(es,
- E,
  ...)

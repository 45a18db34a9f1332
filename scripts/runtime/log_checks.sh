# Kernel log checks of make runtime-test's guest (busybox sh), sourced by
# init.sh; the unit tests source it on the host with a captured log (and
# rdma_chunks, which reads an NFS mount's RDMA counters, with a captured
# /proc/self/mountstats).
# Uses: dmesg, fail <why>, $run (rxe, siw or rxe_dma), $rdmarealdma (1 on
# rxe_dma), $rds_ran (1 once RDS ran), $DMA_API (DMA-API debugging's
# debugfs directory).  checked() adds the ULP to $ran and prints its
# "RUNTIME <run> <ULP>: PASS" line (runtime_test.parse_ulps reads them).
DMA_API=${DMA_API:-/sys/kernel/debug/dma-api}

# an error report of DMA-API debugging ("DMA-API: <bus> <device>: ..."),
# not its boot lines nor the "Mapped at:" of a report
DMA_API_ERROR="DMA-API: [^ ]+ [^ ]+: "
PROBLEMS="WARNING:|BUG:|KASAN:|UBSAN:|Oops|general protection|possible circular locking|inconsistent lock state|list_add corruption|list_del corruption|$DMA_API_ERROR|swiotlb buffer is full"
# 6.12's RDS has a lockdep report of its own on the first connect:
# rds_ib_laddr_check() destroys a cm_id under rds_trans_sem, which the RDMA
# CM's handler then takes under handler_mutex (circular).  The unconverted
# base reports the same.  RDS runs last, after the block ULPs (NVMe-oF, SRP,
# RNBD) have been checked, and that one report (lockdep's last: it turns
# itself off after it) is let through; any other report still fails.
RDS_LOCKDEP="rds_trans_sem --> &id_priv->handler_mutex --> &id_priv->handler_mutex/1"
# DMA-API debugging's overlap check: a DMA_FROM_DEVICE mapping that
# shares a cache line with another one.  nvme-rdma maps each 16-byte
# completion kmalloc()ed on its own, several to a cache line; the base does
# the same (harmless on x86, which is coherent, but reported).  SMC-R maps
# the buffers of a link group once per link: its second link maps the
# RMBs (smc_ib_buf_map_sg() from smcr_buf_map_link()) and the SMC-Rv2
# receive buffer (smc_wr_create_link()) again; the base does the same.
# On rxe_dma
# these reports (and only these: add_dma_entry() warns for nothing else)
# are let through, counted and named by the function that mapped; one from
# any other function, and every other DMA-API error, still fails.
OVERLAP="at kernel/dma/debug.c:[0-9]+ add_dma_entry"
OVERLAP_TEXT="DMA-API: .*: cacheline tracking EEXIST, overlapping mappings aren't supported"
OVERLAP_KNOWN="nvme_rdma_alloc_qe smc_ib_buf_map_sg smc_wr_create_link"
problems() {
	if [ "$rds_ran" = 1 ] && dmesg | grep -qF "$RDS_LOCKDEP" &&
	   [ "$(dmesg | grep -c 'possible circular locking')" = 1 ]; then
		dmesg | grep -E "$PROBLEMS" |
			grep -v "WARNING: possible circular locking dependency detected"
	else
		dmesg | grep -E "$PROBLEMS"
	fi | if [ "$rdmarealdma" = 1 ]; then grep -vE "$OVERLAP|$OVERLAP_TEXT"; else cat; fi |
		grep .
}
# the function that mapped, one line per overlap report
overlap_mappers() {
	dmesg | sed 's/^\[[^]]*\] *//' | awk -v overlap="$OVERLAP" '
		$0 ~ overlap { want = 1; trace = 0; next }
		want && /Call Trace:/ { trace = 1; next }
		want && trace && $1 !~ /^(\?|<TASK>|_*dma_map|debug_dma|add_dma_entry|rdma_map_sg)/ {
			sub(/\+.*/, "", $1); print $1; want = 0 }'
}
overlap_sites() {
	overlap_mappers | sort | uniq -c |
		awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }'
}
dma_problems() {
	[ "$(cat $DMA_API/disabled)" = N ] ||
		fail "$1: DMA-API debugging turned itself off"
	errors=$(cat $DMA_API/error_count)
	overlaps=$(dmesg | grep -cE "$OVERLAP")
	if [ "$errors" != "$overlaps" ]; then
		dmesg | grep -E "$DMA_API_ERROR" | grep -vE "$OVERLAP_TEXT" |
			sed 's/^\[[^]]*\] *//' | sort | uniq -c | head -n 5
		fail "$1: DMA-API debugging counted $errors error(s), $overlaps of them overlaps"
	fi
	[ "$(overlap_mappers | grep -c .)" = "$overlaps" ] ||
		fail "$1: not every cache-line overlap report names its mapper"
	for mapper in $(overlap_mappers | sort -u); do
		case " $OVERLAP_KNOWN " in
		*" $mapper "*) ;;
		*) fail "$1: DMA-API: a cache-line overlap mapped by $mapper (not a known one)" ;;
		esac
	done
}
# wanted <ULP>: whether this run moves data over the ULP: every one, or
# those of rdmaonly=<ULP>[,<ULP>...] on the kernel command line
wanted() {
	[ -z "$rdmaonly" ] && return 0
	case ",$rdmaonly," in *",$1,"*) return 0 ;; esac
	return 1
}
# begin <ULP>: the ULP a failure from here on is put down to, until it is
# checked (fail() prints its line)
begin() { ulp_now=$1; }
# not_runnable <ULP> <why>: a ULP that cannot run in this run
not_runnable() {
	ulp=$1
	shift
	echo "runtime: $ulp: not on $run ($*)"
	echo "RUNTIME $run $ulp: NOT RUNNABLE $*"
}
# checked <ULP>: the kernel log after a ULP's part, which a problem fails
# in that ULP's name
checked() {
	problems && fail "$1: kernel log reports a problem (above)"
	[ "$rdmarealdma" = 1 ] && dma_problems "$1"
	ran="${ran:+$ran }$1"
	echo "RUNTIME $run $1: PASS"
	ulp_now=
}
# rdma_chunks <mountstats>: the read and the write chunks xprtrdma asked
# for on the first NFS mount over RDMA (fields 13 and 14 of its "xprt:
# rdma" line, xprt_rdma_print_stats()); nothing without such a mount
rdma_chunks() {
	awk '$1 == "xprt:" && $2 == "rdma" { print $13 + 0, $14 + 0; exit }' "$1"
}

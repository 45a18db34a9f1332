#!/bin/sh
# Guest side of make runtime-test (the initramfs's /init, busybox sh).
# The kernel command line gives rdmadev=rxe|siw, and rdmarealdma=1 when rxe
# maps through the DMA API (rdma_rxe.real_dma=1 swiotlb=force, the debug
# kernel's test patch).  Prints one line "RUNTIME <run>: PASS <ULPs that
# ran>" or "RUNTIME <run>: FAIL <why>" (<run>: rxe, siw or rxe_dma), then
# powers off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t configfs configfs /sys/kernel/config
mount -t tmpfs tmpfs /tmp

dev=${rdmadev:-rxe}
run=$dev
[ "$rdmarealdma" = 1 ] && run=${dev}_dma
addr=10.77.0.1
nqn=rdma-sge-test
cfg=/sys/kernel/config/nvmet
MB=16

step() { echo "runtime: $*"; }
fail() {
	echo "RUNTIME $run: FAIL $*"
	dmesg | tail -n 40
	reboot -f
}

if [ "$rdmadebug" = 1 ]; then
	# the debug variant is only worth its name if its checkers run
	dmesg | grep -q "KernelAddressSanitizer initialized" || fail "no KASAN"
	dmesg | grep -q "Lock dependency validator" || fail "no lockdep"
	mount -t debugfs debugfs /sys/kernel/debug || fail "mount debugfs"
fi

step "netdev and $dev link"
ip link add rsge0 type dummy || fail "ip link add rsge0"
ip addr add $addr/24 dev rsge0 || fail "ip addr add"
ip link set rsge0 up || fail "ip link set up"
rdma link add ${dev}0 type $dev netdev rsge0 || fail "rdma link add $dev"
if [ $dev = siw ]; then
	# iWARP runs over TCP, and TCP to a local address goes through lo:
	# siw's connection manager needs a siw device there as well.
	ip link set lo up
	rdma link add ${dev}_lo type $dev netdev lo || fail "rdma link add lo"
fi
rdma link show
if [ "$rdmarealdma" = 1 ]; then
	# without these the run would pass on the virtual-DMA path again
	dmesg | grep -q "rxe_real_dma.*: ${dev}0 maps through the DMA API" \
		|| fail "${dev}0 does not map through the DMA API (test patch?)"
	[ -d /sys/kernel/debug/swiotlb ] || fail "no swiotlb"
	grep -q "swiotlb=force" /proc/cmdline || fail "swiotlb not forced"
	# every DMA-API error warns, not only the first (see dma_problems)
	echo 1 > /sys/kernel/debug/dma-api/all_errors || fail "dma-api all_errors"
	step "${dev}0 maps through the DMA API, swiotlb bounces every map"
fi

step "nvmet target over rdma, RAM-backed namespace"
mkdir $cfg/subsystems/$nqn || fail "nvmet subsystem"
echo 1 > $cfg/subsystems/$nqn/attr_allow_any_host
mkdir $cfg/subsystems/$nqn/namespaces/1
echo /dev/ram0 > $cfg/subsystems/$nqn/namespaces/1/device_path
echo 1 > $cfg/subsystems/$nqn/namespaces/1/enable || fail "namespace enable"
mkdir $cfg/ports/1
echo rdma > $cfg/ports/1/addr_trtype
echo ipv4 > $cfg/ports/1/addr_adrfam
echo $addr > $cfg/ports/1/addr_traddr
echo 4420 > $cfg/ports/1/addr_trsvcid
ln -s $cfg/subsystems/$nqn $cfg/ports/1/subsystems/$nqn || fail "nvmet port"

step "host connect"
echo "transport=rdma,traddr=$addr,trsvcid=4420,nqn=$nqn" > /dev/nvme-fabrics \
	|| fail "connect through /dev/nvme-fabrics"
i=0
while [ ! -b /dev/nvme0n1 ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
[ -b /dev/nvme0n1 ] || fail "no /dev/nvme0n1 after connect"
if [ "$rdmarealdma" = 1 ]; then
	# nvme-rdma does not cap its I/O size by dma_max_mapping_size() as
	# nvme-pci does: with swiotlb a segment over 256 KiB cannot be mapped
	# ("swiotlb buffer is full"), and physically contiguous pages make one
	echo 128 > /sys/block/nvme0n1/queue/max_sectors_kb || fail "max_sectors_kb"
fi

step "write $MB MiB of random data with O_DIRECT, read it back"
dd if=/dev/urandom of=/tmp/pattern bs=1M count=$MB 2>/dev/null
dd if=/tmp/pattern of=/dev/nvme0n1 bs=1M count=$MB oflag=direct 2>/dev/null \
	|| fail "O_DIRECT write"
dd if=/dev/nvme0n1 of=/tmp/readback bs=1M count=$MB iflag=direct 2>/dev/null \
	|| fail "O_DIRECT read"
cmp /tmp/pattern /tmp/readback || fail "read back differs from what was written"
dd if=/dev/ram0 of=/tmp/backing bs=1M count=$MB 2>/dev/null
cmp /tmp/pattern /tmp/backing || fail "target backing store differs"

step "scattered 4 KiB I/Os"
dd if=/dev/urandom of=/tmp/small bs=4096 count=64 2>/dev/null
n=0
for block in 7 1021 3 2048 4095 511 1 3333 17 2900 64 1500 999 4000 128 255; do
	dd if=/tmp/small of=/dev/nvme0n1 bs=4096 skip=$((n % 64)) seek=$block \
		count=1 oflag=direct conv=notrunc 2>/dev/null || fail "4k write $block"
	dd if=/tmp/small of=/tmp/want bs=4096 skip=$((n % 64)) count=1 2>/dev/null
	dd if=/dev/nvme0n1 of=/tmp/got bs=4096 skip=$block count=1 iflag=direct \
		2>/dev/null || fail "4k read $block"
	cmp /tmp/want /tmp/got || fail "4k block $block differs"
	n=$((n + 1))
done

step "disconnect"
echo 1 > /sys/class/nvme/nvme0/delete_controller || fail "disconnect"
sleep 1
ran=nvme

PROBLEMS="WARNING:|BUG:|KASAN:|UBSAN:|Oops|general protection|possible circular locking|inconsistent lock state|list_add corruption|list_del corruption"
# 6.12's RDS has a lockdep report of its own on the first connect:
# rds_ib_laddr_check() destroys a cm_id under rds_trans_sem, which the RDMA
# CM's handler then takes under handler_mutex (circular).  The unconverted
# base reports the same.  On the debug kernel RDS runs after the NVMe-oF
# part has been checked, and that one report (lockdep's last: it turns
# itself off after it) is let through; any other report still fails.
RDS_LOCKDEP="rds_trans_sem --> &id_priv->handler_mutex --> &id_priv->handler_mutex/1"
# DMA-API debugging's overlap check: a DMA_FROM_DEVICE mapping that
# shares a cache line with another one.  nvme-rdma maps each 16-byte
# completion kmalloc()ed on its own, several to a cache line; the base does
# the same (harmless on x86, which is coherent, but reported).  On rxe_dma
# these reports (and only these: add_dma_entry() warns for nothing else)
# are let through, counted and named by the function that mapped; one from
# any other function, and every other DMA-API error, still fails.
OVERLAP="at kernel/dma/debug.c:[0-9]+ add_dma_entry"
OVERLAP_KNOWN="nvme_rdma_alloc_qe"
problems() {
	if [ "$ran" != nvme ] && dmesg | grep -qF "$RDS_LOCKDEP" &&
	   [ "$(dmesg | grep -c 'possible circular locking')" = 1 ]; then
		dmesg | grep -E "$PROBLEMS" |
			grep -v "WARNING: possible circular locking dependency detected"
	else
		dmesg | grep -E "$PROBLEMS"
	fi | if [ "$rdmarealdma" = 1 ]; then grep -vE "$OVERLAP"; else cat; fi |
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
	[ "$(cat /sys/kernel/debug/dma-api/disabled)" = N ] ||
		fail "DMA-API debugging turned itself off"
	errors=$(cat /sys/kernel/debug/dma-api/error_count)
	overlaps=$(dmesg | grep -cE "$OVERLAP")
	[ "$errors" = "$overlaps" ] ||
		fail "DMA-API debugging counted $errors error(s), $overlaps of them overlaps"
	[ "$(overlap_mappers | grep -c .)" = "$overlaps" ] ||
		fail "not every cache-line overlap report names its mapper"
	for mapper in $(overlap_mappers | sort -u); do
		case " $OVERLAP_KNOWN " in
		*" $mapper "*) ;;
		*) fail "DMA-API: a cache-line overlap mapped by $mapper (not a known one)" ;;
		esac
	done
}
problems && fail "kernel log reports a problem (above)"

if [ "$rdmarealdma" = 1 ]; then
	# proof that the data went through the DMA API: dma-debug tracked the
	# maps, swiotlb bounced them (so a missing or short sync is stale data)
	dma_problems
	hiwater=$(cat /sys/kernel/debug/swiotlb/io_tlb_used_hiwater)
	total=$(cat /sys/kernel/debug/dma-api/nr_total_entries)
	minfree=$(cat /sys/kernel/debug/dma-api/min_free_entries)
	[ "$hiwater" -gt 0 ] || fail "nothing was bounced through swiotlb"
	[ $((total - minfree)) -gt 0 ] || fail "DMA-API debugging saw no map"
	step "DMA API: $((total - minfree)) maps at most at once, swiotlb $hiwater slabs at most, no error but $overlaps cache-line overlap(s): $(overlap_sites)"
fi

if [ $dev = rxe ]; then
	step "RDS over $dev: messages of 1 byte to 300 KB both ways, compared"
	rds_check $addr || fail "RDS: rds_check failed (above)"
	ran="$ran rds"
else
	# the negative control: RDS has no IB transport on an iWARP device, so
	# rds_check must refuse to bind here instead of passing another way
	step "RDS: not on $dev (RDS's IB transport takes no iWARP device)"
	if rds_check $addr > /tmp/rds.out; then
		cat /tmp/rds.out
		fail "RDS: rds_check passed on $dev, which RDS's IB transport refuses"
	fi
	cat /tmp/rds.out
	grep -q "FAIL socket/bind on the IB transport" /tmp/rds.out \
		|| fail "RDS: rds_check failed on $dev, but not at bind"
fi

problems && fail "kernel log reports a problem (above)"
if [ "$rdmarealdma" = 1 ]; then
	dma_problems
	step "DMA API at the end: no error but $overlaps cache-line overlap(s): $(overlap_sites)"
fi
echo "RUNTIME $run: PASS $ran"
reboot -f

#!/bin/sh
# Guest side of make runtime-test (the initramfs's /init, busybox sh).
# The kernel command line gives rdmadev=rxe|siw, and rdmarealdma=1 when rxe
# maps through the DMA API (rdma_rxe.real_dma=1 swiotlb=force, the debug
# kernel's test patch).  Moves data over NVMe-oF, SRP, RNBD (RTRS),
# NFS/RDMA, iSER and SMB Direct (user space chrooted into /debian), and SMC-R
# and RDS on rxe.  Prints one line "RUNTIME <run>: PASS <ULPs that ran>" or
# "RUNTIME <run>: FAIL <why>" (<run>: rxe, siw or rxe_dma), then powers
# off.  Each ULP also has a line of its own, "RUNTIME <run> <ULP>: PASS",
# "...: FAIL" (the one that failed) or "...: NOT RUNNABLE <why>"
# (runtime_test.ULP_TESTS names them).
# rdmaonly=<ULP>[,<ULP>...] runs those ULPs only (the injected-defect
# runs, defect_test.py: one defect's ULP per boot, a FAIL ends a run).
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
SRP_PORT=5555
cfg=/sys/kernel/config/nvmet
MB=16

step() { echo "runtime: $*"; }
fail() {
	[ -n "$ulp_now" ] && echo "RUNTIME $run $ulp_now: FAIL"
	echo "RUNTIME $run: FAIL $*"
	dmesg | tail -n 40
	reboot -f
}

# block_check <ULP> <block device> <target's backing device>: $MB MiB of
# random data written with O_DIRECT, read back and compared, compared on
# the target's backing store too, then 16 scattered 4 KiB writes and reads
block_check() {
	ulp=$1 blk=$2 backing=$3
	step "$ulp: write $MB MiB of random data with O_DIRECT to $blk, read it back"
	dd if=/dev/urandom of=/tmp/pattern bs=1M count=$MB 2>/dev/null
	dd if=/tmp/pattern of=$blk bs=1M count=$MB oflag=direct 2>/dev/null \
		|| fail "$ulp: O_DIRECT write"
	dd if=$blk of=/tmp/readback bs=1M count=$MB iflag=direct 2>/dev/null \
		|| fail "$ulp: O_DIRECT read"
	cmp /tmp/pattern /tmp/readback || fail "$ulp: read back differs from what was written"
	rm -f /tmp/backing
	dd if=$backing of=/tmp/backing bs=1M count=$MB iflag=direct 2>/dev/null \
		|| fail "$ulp: read the target's backing store"
	cmp /tmp/pattern /tmp/backing || fail "$ulp: target backing store differs"

	step "$ulp: scattered 4 KiB I/Os"
	dd if=/dev/urandom of=/tmp/small bs=4096 count=64 2>/dev/null
	n=0
	for block in 7 1021 3 2048 4095 511 1 3333 17 2900 64 1500 999 4000 128 255; do
		dd if=/tmp/small of=$blk bs=4096 skip=$((n % 64)) seek=$block \
			count=1 oflag=direct conv=notrunc 2>/dev/null || fail "$ulp: 4k write $block"
		dd if=/tmp/small of=/tmp/want bs=4096 skip=$((n % 64)) count=1 2>/dev/null
		dd if=$blk of=/tmp/got bs=4096 skip=$block count=1 iflag=direct \
			2>/dev/null || fail "$ulp: 4k read $block"
		cmp /tmp/want /tmp/got || fail "$ulp: 4k block $block differs"
		n=$((n + 1))
	done
}
# wait_block <device>: up to 10 s for it to appear
wait_block() {
	i=0
	while [ ! -b $1 ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
	[ -b $1 ]
}
# swiotlb cannot map a segment over 256 KiB, and physically contiguous pages
# make one: on rxe_dma cap the I/O size of a block device whose driver does
# not cap it by dma_max_mapping_size() itself
cap_io() {
	[ "$rdmarealdma" = 1 ] || return 0
	echo 128 > /sys/block/$1/queue/max_sectors_kb || fail "$1: max_sectors_kb"
}

if [ "$rdmadebug" = 1 ]; then
	# the debug variant is only worth its name if its checkers run
	dmesg | grep -q "KernelAddressSanitizer initialized" || fail "no KASAN"
	dmesg | grep -q "Lock dependency validator" || fail "no lockdep"
	mount -t debugfs debugfs /sys/kernel/debug || fail "mount debugfs"
fi

# problems, dma_problems, wanted, begin, checked, overlap_sites
. /log_checks.sh

# the Debian root file system (guest_rootfs.py) that NFS's and iSER's user
# space runs in, chrooted
deb=/debian
# debian_mounts: what its daemons need mounted, once
debian_mounts() {
	[ -e $deb/proc/self ] && return 0
	mount -t proc proc $deb/proc && mount -t sysfs sysfs $deb/sys &&
		mount -t devtmpfs devtmpfs $deb/dev && mount -t tmpfs tmpfs $deb/run &&
		mount -t tmpfs tmpfs $deb/tmp
}

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
# the device the RDMA CM picks for $addr (siw: the one on lo, above); a ULP
# that is told a device (ib_srp's add_target) must be given this one
cmdev=${dev}0
[ $dev = siw ] && cmdev=${dev}_lo
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

if wanted nvme; then
	begin nvme
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
	wait_block /dev/nvme0n1 || fail "no /dev/nvme0n1 after connect"
	# nvme-rdma does not cap its I/O size by dma_max_mapping_size() as nvme-pci does
	cap_io nvme0n1

	block_check nvme /dev/nvme0n1 /dev/ram0

	step "nvme: disconnect"
	echo 1 > /sys/class/nvme/nvme0/delete_controller || fail "nvme: disconnect"
	sleep 1
	checked nvme
fi

# ib_srp (the sgid of add_target) and ib_srpt (its port's name) read GID 0
# of the device, which the GID cache leaves empty when it is all zeroes:
# so on siw_lo (lo has no MAC address), where TCP between local addresses,
# and so siw's connection, always goes
if wanted srp; then
	gid=$(cat /sys/class/infiniband/$cmdev/ports/1/gids/0)
	if [ "$gid" = 0000:0000:0000:0000:0000:0000:0000:0000 ]; then
		not_runnable srp "$cmdev has no GID 0, which ib_srp and ib_srpt need"
	else
		begin srp
		step "srp: ib_srpt target on a LIO iblock LUN (/dev/ram1), RDMA/CM port $SRP_PORT"
		tgt=/sys/kernel/config/target
		mkdir -p $tgt/core/iblock_0/srp || fail "srp: LIO iblock backstore"
		echo udev_path=/dev/ram1 > $tgt/core/iblock_0/srp/control \
			|| fail "srp: LIO iblock control"
		echo 1 > $tgt/core/iblock_0/srp/enable || fail "srp: enable the backstore"
		mkdir -p $tgt/srpt || fail "srp: no ib_srpt in LIO"
		echo $SRP_PORT > $tgt/srpt/discovery_auth/rdma_cm_port || fail "srp: rdma_cm_port"
		# ib_srpt names a port by the interface id of its GID 0, the last 64 bits
		tpg=$tgt/srpt/${gid#*:*:*:*:}/tpgt_1
		mkdir -p $tpg || fail "srp: ib_srpt has no port ${gid#*:*:*:*:} ($cmdev)"
		mkdir $tpg/lun/lun_0 && ln -s $tgt/core/iblock_0/srp $tpg/lun/lun_0/srp \
			|| fail "srp: LUN 0"
		# over RDMA/CM ib_srpt knows the initiator by its IP address
		mkdir -p $tpg/acls/$addr/lun_0 && ln -s $tpg/lun/lun_0 $tpg/acls/$addr/lun_0/lun_0 \
			|| fail "srp: ACL for $addr"
		echo 1 > $tpg/enable || fail "srp: enable the target port"

		step "srp: ib_srp add_target through $cmdev, immediate data off"
		# the first login sizes the IUs (no immediate data: a few hundred bytes);
		# the reconnect below turns it on and max_it_iu_len grows past them
		echo 0 > /sys/module/ib_srp/parameters/use_imm_data || fail "srp: use_imm_data"
		guid=$(cat /sys/module/ib_srpt/parameters/srpt_service_guid)
		echo "id_ext=$guid,ioc_guid=$guid,dest=$addr:$SRP_PORT" \
			> /sys/class/infiniband_srp/srp-$cmdev-1/add_target || fail "srp: add_target"
		wait_block /dev/sda || fail "srp: no /dev/sda after add_target"
		cap_io sda
		block_check srp /dev/sda /dev/ram1

		step "srp: reconnect with immediate data on (max_it_iu_len past the IUs' size)"
		dmesg | grep -q "ib_srp: using immediate data" && fail "srp: immediate data at the first login"
		for port in /sys/class/srp_remote_ports/port-*; do
			echo 1 > $port/reconnect_delay || fail "srp: reconnect_delay"
		done
		echo 1 > /sys/module/ib_srp/parameters/use_imm_data
		echo 0 > $tpg/enable || fail "srp: disable the target port"
		sleep 1
		echo 1 > $tpg/enable || fail "srp: enable the target port again"
		i=0
		until dmesg | grep -q "ib_srp: reconnect succeeded"; do
			[ $i -lt 60 ] || fail "srp: no reconnect within 30 s"
			sleep 0.5; i=$((i + 1))
		done
		dmesg | grep -q "ib_srp: using immediate data" || fail "srp: no immediate data after the reconnect"
		block_check srp-reconnected /dev/sda /dev/ram1
		step "srp: log out (the initiator deletes its remote port)"
		for port in /sys/class/srp_remote_ports/port-*; do
			echo 1 > $port/delete || fail "srp: delete $port"
		done
		sleep 1
		checked srp
	fi
fi

if wanted rnbd; then
	if [ "$rdmarealdma" = 1 ]; then
		# RTRS's server registers each 128 KiB chunk as one MR page of 128 KiB
		# (ib_map_mr_sg() with max_chunk_size as the page size); bounced, a
		# chunk is only page aligned, spans two such pages, and the session
		# cannot be set up (-EINVAL).  6.12's own: the base fails the same way.
		not_runnable rnbd "RTRS's server cannot register a bounced 128 KiB chunk as one MR page"
	elif [ $dev = siw ]; then
		# RTRS's server listens on the IPv6 wildcard only; siw's connection
		# from the IPv4 address is reset at connect (-ECONNRESET), and over an
		# IPv6 address the later connections of the session fail
		# (-EADDRNOTAVAIL).  6.12's own: the base is reset the same way.
		not_runnable rnbd "RTRS's connections between local addresses fail over siw"
	else
		begin rnbd
		step "rnbd: map /dev/ram2 through RTRS"
		echo "sessname=rdma-sge path=ip:$addr device_path=/dev/ram2" \
			> /sys/class/rnbd-client/ctl/map_device || fail "rnbd: map_device"
		wait_block /dev/rnbd0 || fail "rnbd: no /dev/rnbd0 after map_device"
		block_check rnbd /dev/rnbd0 /dev/ram2
		step "rnbd: unmap"
		echo normal > /sys/block/rnbd0/rnbd/unmap_device || fail "rnbd: unmap_device"
		sleep 1
		checked rnbd
	fi
fi

# NFS/RDMA: nfsd (svcrdma) exports a tmpfs on the RDMA port 20049 and the
# NFSv3 client (xprtrdma) mounts it with proto=rdma; their user space
# (rpcbind, rpc.mountd, rpc.nfsd, mount.nfs) runs in the Debian root file
# system under /debian (guest_rootfs.py)
if wanted nfs; then
	begin nfs
	[ -x $deb/usr/sbin/rpc.nfsd ] || fail "nfs: no Debian root file system with nfs-utils under $deb"
	step "nfs: nfsd on $addr rdma port 20049 exporting a tmpfs (nfs-utils from Debian)"
	# mount.nfs asks rpcbind and rpc.mountd over TCP, and TCP to a local
	# address goes through lo
	ip link set lo up || fail "nfs: ip link set lo up"
	debian_mounts || fail "nfs: mounts for the chroot"
	mkdir -p $deb/export $deb/mnt/nfs
	mount -t tmpfs -o size=$((2 * MB + 8))m tmpfs $deb/export || fail "nfs: tmpfs to export"
	mount -t nfsd nfsd $deb/proc/fs/nfsd || fail "nfs: mount the nfsd file system"
	# a tmpfs has no device number to name it by: fsid
	echo "/export $addr(rw,no_root_squash,insecure,no_subtree_check,sync,fsid=1)" \
		> $deb/etc/exports
	chroot $deb rpcbind -w || fail "nfs: rpcbind"
	chroot $deb exportfs -ra || fail "nfs: exportfs"
	chroot $deb rpc.mountd --no-nfs-version 4 || fail "nfs: rpc.mountd"
	chroot $deb rpc.nfsd --no-nfs-version 4 --rdma=20049 4 || fail "nfs: rpc.nfsd"
	grep -q "rdma 20049" $deb/proc/fs/nfsd/portlist || fail "nfs: nfsd does not listen on rdma 20049"
	step "nfs: NFSv3 mount over RDMA"
	# soft, so that a server that no longer answers (a call it cannot read)
	# fails the I/O within a few minutes instead of hanging the guest until
	# QEMU's timeout; timeo (tenths of a second) is far above a TCG guest's
	# round trip
	# rdmanfswait=<s>: how long the mount may take (180 s unless the
	# kernel command line says; the injected-defect run that expects no
	# answer waits less)
	nfs_mount() {
		timeout -s KILL ${rdmanfswait:-180} chroot $deb mount -t nfs \
			-o vers=3,proto=rdma,port=20049,mountproto=tcp,nolock,soft,timeo=300,retrans=2 \
			$addr:/export /mnt/nfs
		rc=$?
		[ $rc = 137 ] && fail "nfs: mount -o proto=rdma killed after ${rdmanfswait:-180} s: no answer from the server"
		[ $rc = 0 ] || fail "nfs: mount -o proto=rdma (exit $rc)"
	}
	nfs_mount
	grep -q " $deb/mnt/nfs nfs .*proto=rdma" /proc/mounts || fail "nfs: not mounted over rdma"
	# $MB MiB, past the inline threshold (4 KiB): written with the server's
	# RDMA READs of the client's pages (read chunks), read with its RDMA
	# WRITEs to them (write chunks)
	step "nfs: write $MB MiB and a 3000-byte file, remount, read back, compare"
	dd if=/dev/urandom of=/tmp/pattern bs=1M count=$MB 2>/dev/null
	dd if=/dev/urandom of=/tmp/small bs=3000 count=1 2>/dev/null
	dd if=/tmp/pattern of=$deb/mnt/nfs/big bs=1M conv=fsync 2>/dev/null || fail "nfs: write"
	dd if=/tmp/small of=$deb/mnt/nfs/small conv=fsync 2>/dev/null || fail "nfs: small write"
	grep "xprt:" /proc/self/mountstats
	set -- $(rdma_chunks /proc/self/mountstats)
	[ "${1:-0}" -gt 0 ] || fail "nfs: the writes used no read chunk (chunks: $*)"
	writes_in="$1 read chunk(s)"
	# the server's copy first: a difference here is on the write path
	cmp /tmp/pattern $deb/export/big || fail "nfs: the server's copy differs from what was written"
	cmp /tmp/small $deb/export/small || fail "nfs: the server's copy of the small file differs"
	umount $deb/mnt/nfs || fail "nfs: umount"
	nfs_mount
	cmp /tmp/pattern $deb/mnt/nfs/big || fail "nfs: read back differs from what was written"
	cmp /tmp/small $deb/mnt/nfs/small || fail "nfs: small file read back differs"
	dd if=$deb/mnt/nfs/big of=/tmp/readback bs=1M iflag=direct 2>/dev/null || fail "nfs: O_DIRECT read"
	cmp /tmp/pattern /tmp/readback || fail "nfs: O_DIRECT read differs"
	grep "xprt:" /proc/self/mountstats
	set -- $(rdma_chunks /proc/self/mountstats)
	[ "${2:-0}" -gt 0 ] || fail "nfs: the reads used no write chunk (chunks: $*)"
	step "nfs: the writes went in $writes_in, the reads in $2 write chunk(s)"
	step "nfs: umount, stop nfsd"
	umount $deb/mnt/nfs || fail "nfs: umount"
	chroot $deb rpc.nfsd 0 || fail "nfs: stop nfsd"
	sleep 1
	checked nfs
fi

# iSER: LIO's iSCSI target (isert) with an iSER portal on an iblock LUN
# (/dev/ram3), and open-iscsi's iscsid and iscsiadm (Debian's, chrooted)
# logging in over the iser transport (ib_iser)
if wanted iser; then
	if [ $dev = siw ]; then
		# LIO listens for iSER on the address and port of the portal's
		# iSCSI/TCP listener; siw's listener is a TCP socket and cannot bind
		# them again (isert: rdma_listen() failed: -98).  A hardware iWARP
		# device listens in a port space of its own.
		not_runnable iser "siw's listener cannot share the port of the iSCSI/TCP portal"
	else
		begin iser
		[ -x $deb/usr/sbin/iscsiadm ] || fail "iser: no Debian root file system with open-iscsi under $deb"
		iqn=iqn.2026-12.org.kernel.rdma-sge:iser
		step "iser: LIO iSCSI target $iqn, iSER portal $addr:3260, LUN on /dev/ram3"
		# iscsiadm discovers the target over TCP, and TCP to a local address
		# goes through lo
		ip link set lo up || fail "iser: ip link set lo up"
		debian_mounts || fail "iser: mounts for the chroot"
		tgt=/sys/kernel/config/target
		mkdir -p $tgt/core/iblock_1/iser || fail "iser: LIO iblock backstore"
		echo udev_path=/dev/ram3 > $tgt/core/iblock_1/iser/control \
			|| fail "iser: LIO iblock control"
		echo 1 > $tgt/core/iblock_1/iser/enable || fail "iser: enable the backstore"
		tpg=$tgt/iscsi/$iqn/tpgt_1
		mkdir -p $tpg || fail "iser: no iSCSI target in LIO"
		mkdir $tpg/lun/lun_0 && ln -s $tgt/core/iblock_1/iser $tpg/lun/lun_0/iser \
			|| fail "iser: LUN 0"
		mkdir $tpg/np/$addr:3260 || fail "iser: portal $addr:3260"
		echo 1 > $tpg/np/$addr:3260/iser || fail "iser: no iSER on the portal (isert)"
		# any initiator, no CHAP, read-write
		for a in generate_node_acls=1 cache_dynamic_acls=1 authentication=0 \
			demo_mode_write_protect=0; do
			echo ${a#*=} > $tpg/attrib/${a%=*} || fail "iser: tpg attribute $a"
		done
		echo 1 > $tpg/enable || fail "iser: enable the target portal group"

		step "iser: iscsid, discovery and login with the iser transport"
		mkdir -p $deb/run/lock/iscsi
		# Debian's package leaves the name to be generated at first boot
		echo "InitiatorName=iqn.2026-12.org.kernel.rdma-sge:initiator" \
			> $deb/etc/iscsi/initiatorname.iscsi
		chroot $deb iscsid -f > /tmp/iscsid.log 2>&1 &
		# iscsiadm exits 20 while it cannot reach iscsid, 21 for no session
		i=0
		until chroot $deb iscsiadm -m session > /dev/null 2>&1; [ $? != 20 ]; do
			[ $i -lt 50 ] || { cat /tmp/iscsid.log; fail "iser: iscsid did not start"; }
			sleep 0.2; i=$((i + 1))
		done
		chroot $deb iscsiadm -m discovery -t sendtargets -p $addr:3260 -I iser \
			|| fail "iser: discovery"
		chroot $deb iscsiadm -m node -T $iqn -p $addr:3260 -I iser --login \
			|| fail "iser: login over iser"
		chroot $deb iscsiadm -m session | grep -q "^iser:" \
			|| fail "iser: the session is not an iser one"
		i=0
		until disk=$(ls /sys/class/iscsi_session/session*/device/target*/*/block 2>/dev/null) &&
			[ -n "$disk" ] && [ -b /dev/$disk ]; do
			[ $i -lt 50 ] || fail "iser: no disk after the login"
			sleep 0.2; i=$((i + 1))
		done
		cap_io $disk
		block_check iser /dev/$disk /dev/ram3
		step "iser: log out"
		chroot $deb iscsiadm -m node -T $iqn -p $addr:3260 -I iser --logout \
			|| fail "iser: logout"
		sleep 1
		checked iser
	fi
fi

# SMB Direct: ksmbd (ksmbd-tools' ksmbd.mountd, chrooted) shares a tmpfs
# and the SMB3 client mounts it with -o rdma (mount.cifs from cifs-utils).
# Reads and writes past the client's rdma_readwrite_threshold (4 KiB) go
# as RDMA WRITEs and READs by ksmbd to memory the client registered
# (smbd_register_mr); smaller ones inside the SMB Direct messages.
if wanted smb; then
	begin smb
	[ -x $deb/usr/sbin/ksmbd.mountd ] || fail "smb: no Debian root file system with ksmbd-tools under $deb"
	step "smb: ksmbd on $addr sharing a tmpfs, SMB3 client mount -o rdma"
	ip link set lo up || fail "smb: ip link set lo up"
	debian_mounts || fail "smb: mounts for the chroot"
	mkdir -p $deb/srv/smb $deb/mnt/smb $deb/etc/ksmbd
	mount -t tmpfs -o size=$((2 * MB + 8))m,mode=0777 tmpfs $deb/srv/smb \
		|| fail "smb: tmpfs to share"
	# unsigned: the client offloads no I/O to RDMA on a signed session;
	# the path as ksmbd's kernel threads see it, outside the chroot
	printf '[global]\n\tserver signing = disabled\n[share]\n\tpath = %s\n\tread only = no\n\tforce user = root\n\tforce group = root\n' \
		$deb/srv/smb > $deb/etc/ksmbd/ksmbd.conf
	chroot $deb ksmbd.adduser -a tester -p rdma-sge > /dev/null || fail "smb: ksmbd.adduser"
	chroot $deb ksmbd.mountd || fail "smb: ksmbd.mountd"
	i=0
	until grep -q " running " /sys/class/ksmbd-control/stats 2>/dev/null; do
		[ $i -lt 50 ] || fail "smb: ksmbd did not start ($(cat /sys/class/ksmbd-control/stats 2>&1))"
		sleep 0.2; i=$((i + 1))
	done
	# the client tries SMB Direct's iWARP port 5445 first, then 445
	smb_mount() {
		timeout -s KILL 120 chroot $deb mount.cifs //$addr/share /mnt/smb \
			-o rdma,vers=3.1.1,username=tester,password=rdma-sge,cache=strict \
			|| fail "smb: mount.cifs -o rdma (exit $?)"
		grep -q " $deb/mnt/smb cifs .*,rdma" /proc/mounts || fail "smb: not mounted over rdma"
	}
	# smbd_register_mr() logs each registration while LOG_RDMA_MR is on
	registrations() {
		dmesg | grep -c "smbd_register_mr:[0-9]* num_pages"
	}
	smb_mount
	grep -q "SMBDirect (in hex) protocol version" /proc/fs/cifs/DebugData \
		|| fail "smb: the session has no SMB Direct transport"
	step "smb: write $MB MiB and a 3000-byte file, remount, read back, compare"
	dd if=/dev/urandom of=/tmp/pattern bs=1M count=$MB 2>/dev/null
	dd if=/dev/urandom of=/tmp/small bs=3000 count=1 2>/dev/null
	echo 0x100 > /sys/module/cifs/parameters/smbd_logging_class
	before=$(registrations)
	dd if=/tmp/pattern of=$deb/mnt/smb/big bs=1M conv=fsync 2>/dev/null || fail "smb: write"
	writes=$(($(registrations) - before))
	[ $writes -gt 0 ] || fail "smb: the writes registered no memory for ksmbd's RDMA READs"
	dd if=/tmp/small of=$deb/mnt/smb/small conv=fsync 2>/dev/null || fail "smb: small write"
	cmp /tmp/pattern $deb/srv/smb/big || fail "smb: the server's copy differs from what was written"
	cmp /tmp/small $deb/srv/smb/small || fail "smb: the server's copy of the small file differs"
	umount $deb/mnt/smb || fail "smb: umount"
	# the log is rate-limited per call site (pr_err_ratelimited(): 10 in
	# 5 s), and the writes may have used up the burst: the reads start
	# in a window of their own
	sleep 6
	smb_mount
	before=$(registrations)
	cmp /tmp/pattern $deb/mnt/smb/big || fail "smb: read back differs from what was written"
	reads=$(($(registrations) - before))
	[ $reads -gt 0 ] || fail "smb: the reads registered no memory for ksmbd's RDMA WRITEs"
	cmp /tmp/small $deb/mnt/smb/small || fail "smb: small file read back differs"
	dd if=$deb/mnt/smb/big of=/tmp/readback bs=1M iflag=direct 2>/dev/null || fail "smb: O_DIRECT read"
	cmp /tmp/pattern /tmp/readback || fail "smb: O_DIRECT read differs"
	echo 0 > /sys/module/cifs/parameters/smbd_logging_class
	step "smb: the writes registered memory for RDMA $writes time(s), the reads $reads (as logged, rate-limited)"
	step "smb: umount, stop ksmbd"
	umount $deb/mnt/smb || fail "smb: umount"
	chroot $deb ksmbd.control -s > /dev/null 2>&1
	sleep 1
	checked smb
fi

if wanted smc; then
	begin smc
	if [ $dev = rxe ]; then
		# TCP to a local address runs over lo, and SMC-R v2 (rxe's GIDs
		# are RoCEv2 only) takes its peer's MAC from lo's neighbour:
		# zero.  rxe sends to itself without a network only when that
		# MAC is its netdev's own, so SMC-R gets an rxe device on lo
		# and 127.0.0.1; smc_check gives lo and it one PNET ID, and
		# sets the user defined EID SMC-R v2 needs
		ip link set lo up || fail "smc: ip link set lo up"
		rdma link add ${dev}_lo type $dev netdev lo || fail "smc: rdma link add ${dev}_lo"
		step "SMC-R over ${dev}_lo: AF_SMC echo of 1 byte to 1 MiB, checked on both sides"
		smc_check 127.0.0.1 lo ${dev}_lo || fail "SMC: smc_check failed (above)"
		checked smc
	else
		not_runnable smc "SMC-R takes RoCE devices only (smc_ib.c), siw is iWARP"
	fi
fi

if [ "$rdmarealdma" = 1 ]; then
	# proof that the data went through the DMA API: dma-debug tracked the
	# maps, swiotlb bounced them (so a missing or short sync is stale data)
	dma_problems "the block ULPs"
	hiwater=$(cat /sys/kernel/debug/swiotlb/io_tlb_used_hiwater)
	total=$(cat /sys/kernel/debug/dma-api/nr_total_entries)
	minfree=$(cat /sys/kernel/debug/dma-api/min_free_entries)
	[ "$hiwater" -gt 0 ] || fail "nothing was bounced through swiotlb"
	[ $((total - minfree)) -gt 0 ] || fail "DMA-API debugging saw no map"
	step "DMA API: $((total - minfree)) maps at most at once, swiotlb $hiwater slabs at most, no error but $overlaps cache-line overlap(s): $(overlap_sites)"
fi

if wanted rds; then
	if [ $dev = rxe ]; then
		begin rds
		step "RDS over $dev: messages of 1 byte to 300 KB both ways, compared"
		rds_ran=1
		rds_check $addr || fail "RDS: rds_check failed (above)"
		checked rds
	else
		# the negative control: RDS has no IB transport on an iWARP device, so
		# rds_check must refuse to bind here instead of passing another way
		begin rds
		not_runnable rds "RDS's IB transport takes no iWARP device"
		if rds_check $addr > /tmp/rds.out; then
			cat /tmp/rds.out
			fail "RDS: rds_check passed on $dev, which RDS's IB transport refuses"
		fi
		cat /tmp/rds.out
		grep -q "FAIL socket/bind on the IB transport" /tmp/rds.out \
			|| fail "RDS: rds_check failed on $dev, but not at bind"
	fi
fi

ulp_now=
problems && fail "kernel log reports a problem (above)"
if [ "$rdmarealdma" = 1 ]; then
	dma_problems "at the end"
	step "DMA API at the end: no error but $overlaps cache-line overlap(s): $(overlap_sites)"
fi
echo "RUNTIME $run: PASS $ran"
reboot -f

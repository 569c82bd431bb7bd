#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot the arm64 kernel in QEMU virt with a device tree and collect the
probe graph debugfs files the initramfs prints.

The device tree is QEMU virt's own (dumped with -machine dumpdtb=) with
the nodes of --nodes merged in, or a whole tree given with --dts.  The
console log goes to --log; each debugfs file printed between markers is
written to --out.  Exits non-zero on a panic, an oops, a WARN, a timeout
or missing markers.

--machine boots one of QEMU's models of a real board instead, with a
compiled board tree given with --dtb: raspi3b (arm64, e.g. the kernel's
bcm2837-rpi-3-b.dtb), or sabrelite, mcimx7d-sabre, orangepi-pc and
ast2600-evb (32-bit ARM: a zImage from harness/configs/armv7-boards.config
and a static armhf init).
"""

import argparse
import os
import re
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path
from dataclasses import dataclass
from typing import IO, Dict, List, Optional, Sequence, Union

TOP = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("PG_WORK", TOP / ".build"))
BOOT = WORK / "boot"
QEMU_MACHINE = ["-machine", "virt", "-cpu", "cortex-a57"]


@dataclass(frozen=True)
class Arch:
    """How to boot a kernel of one architecture."""

    kernel_arch: str    # the kernel's ARCH=
    cross: str          # CROSS_COMPILE=
    qemu: str
    image: str          # relative to the build directory
    max_fdt: int        # bytes of device tree the kernel maps

    @property
    def cc(self) -> str:
        """The compiler of the static init."""
        return self.cross + "gcc"


ARM64 = Arch("arm64", "aarch64-linux-gnu-", "qemu-system-aarch64",
             "arch/arm64/boot/Image", 2 * 1024 * 1024)
# arch/arm maps FDT_FIXED_SIZE (two 1 MiB sections) from the section the
# blob starts in: only 1 MiB is sure to fit wherever QEMU places it.
ARM = Arch("arm", "arm-linux-gnueabihf-", "qemu-system-arm",
           "arch/arm/boot/zImage", 1024 * 1024)


@dataclass(frozen=True)
class Machine:
    """A QEMU board model: its CPUs, memory and device tree come with the
    board; its console is the UART the board's tree names."""

    arch: Arch
    args: List[str]
    console: str


BOARD_MACHINES: Dict[str, Machine] = {
    "raspi3b": Machine(ARM64, ["-M", "raspi3b", "-m", "1024"], "ttyAMA0"),
    # The console is UART2, QEMU's second serial port.
    "sabrelite": Machine(ARM, ["-M", "sabrelite", "-m", "1024", "-smp", "4",
                               "-serial", "null", "-serial", "stdio"],
                         "ttymxc1,115200"),
    "mcimx7d-sabre": Machine(ARM, ["-M", "mcimx7d-sabre", "-m", "1024",
                                   "-smp", "2"], "ttymxc0,115200"),
    "orangepi-pc": Machine(ARM, ["-M", "orangepi-pc", "-m", "1024"],
                           "ttyS0,115200"),
    # QEMU connects its first serial port to UART5, the board's console.
    "ast2600-evb": Machine(ARM, ["-M", "ast2600-evb"], "ttyS4,115200"),
}
MACHINES = ["virt", *BOARD_MACHINES]


def arch_of(machine: str) -> Arch:
    return BOARD_MACHINES[machine].arch if machine in BOARD_MACHINES \
        else ARM64

BEGIN_RE = re.compile(r"^=== probe-graph begin (\S+) ===$")
END_RE = re.compile(r"^=== probe-graph end (\S+) ===$")
DONE = "=== probe-graph done ==="
FATAL_RE = re.compile(
    r"Kernel panic|Internal error: Oops|BUG: |------------\[ cut here \]"
    r"|WARNING: CPU:|Unable to handle kernel|Call trace:"
    # the debug kernel's lockdep, hung task, kmemleak and UBSAN reports
    r"|WARNING: (?:possible|suspicious|inconsistent)|INFO: task \S+ blocked"
    r"|suspected memory leak|UBSAN: "
)


class BootError(Exception):
    pass


def run(cmd: List[str], stdout: Union[int, IO[bytes], None] = None) -> None:
    subprocess.run(cmd, check=True, stdout=stdout)


def newer(target: Path, *sources: Path) -> bool:
    if not target.exists():
        return True
    t = target.stat().st_mtime
    return any(s.stat().st_mtime > t for s in sources)


def rootfs_spec(root: Path, have: Sequence[str]) -> str:
    """gen_init_cpio lines for everything under @root, at the same paths
    in the initramfs; directories in @have are there already."""
    lines = []
    for path in sorted(root.rglob("*")):
        dest = "/" + path.relative_to(root).as_posix()
        if path.is_symlink():
            lines.append(f"slink {dest} {os.readlink(path)} 0777 0 0")
        elif path.is_dir():
            if dest not in have:
                lines.append(f"dir {dest} 0755 0 0")
        else:
            mode = path.stat().st_mode & 0o777
            lines.append(f"file {dest} {path} {mode:o} 0 0")
    return "".join(line + "\n" for line in lines)


def build_initramfs(kbuild: Path, modules: Sequence[Path] = (),
                    name: str = "initramfs",
                    rootfs: Optional[Path] = None,
                    arch: Arch = ARM64) -> Path:
    """Cross-compile the static init and pack it with gen_init_cpio, with
    the given kernel modules in /lib/modules and the tree @rootfs.  With
    modules, /sbin/modprobe is init too: it loads what the kernel's
    request_module() asks for from /lib/modules."""
    BOOT.mkdir(parents=True, exist_ok=True)
    src = TOP / "harness" / "initramfs" / "init.c"
    init = BOOT / ("init" if arch is ARM64 else "init-arm")
    if newer(init, src):
        run([arch.cc, "-static", "-O2", "-Wall", "-Wextra",
             "-Werror", "-o", str(init), str(src)])
    spec = BOOT / f"{name}.list"
    spec.write_text(
        "dir /dev 0755 0 0\n"
        "nod /dev/console 0600 0 0 c 5 1\n"
        "dir /proc 0755 0 0\n"
        "dir /sys 0755 0 0\n"
        f"file /init {init} 0755 0 0\n" +
        ("dir /lib 0755 0 0\ndir /lib/modules 0755 0 0\n"
         "dir /sbin 0755 0 0\nslink /sbin/modprobe /init 0777 0 0\n"
         if modules else "")
        + "".join(f"file /lib/modules/{m.name} {m} 0644 0 0\n"
                  for m in modules)
        + (rootfs_spec(rootfs, ["/dev", "/proc", "/sys"] +
                       (["/lib", "/lib/modules", "/sbin"]
                        if modules else []))
           if rootfs else ""))
    cpio = BOOT / f"{name}.cpio"
    gen = kbuild / "usr" / "gen_init_cpio"
    if not gen.exists():
        raise BootError(f"{gen} missing: build the kernel first")
    with open(cpio, "wb") as f:
        run([str(gen), str(spec)], stdout=f)
    return cpio


def qemu_base(smp: Optional[int], mem: int,
              machine: str = "virt") -> List[str]:
    """QEMU's command up to the kernel.  @smp: CPUs of virt (2 if None),
    or of a board whose model takes -smp, instead of the board's own."""
    if machine in BOARD_MACHINES:
        m = BOARD_MACHINES[machine]
        args = list(m.args)
        if smp is not None and "-smp" in args:
            args[args.index("-smp") + 1] = str(smp)
        # -nographic's serial port, unless the machine names its own.
        shown = ["-display", "none"] if "-serial" in m.args \
            else ["-nographic"]
        return [m.arch.qemu, *args, *shown, "-no-reboot", "-nic", "none"]
    return ["qemu-system-aarch64", *QEMU_MACHINE, "-smp", str(smp or 2),
            "-m", str(mem), "-nographic", "-no-reboot", "-nic", "none"]


def make_dtb(nodes: Optional[Path], dts: Optional[Path], smp: int, mem: int,
             name: str) -> Path:
    """Compile the device tree to boot with."""
    BOOT.mkdir(parents=True, exist_ok=True)
    dtb = BOOT / f"{name}.dtb"
    if dts is not None:
        merged = dts
    else:
        virt_dtb = BOOT / f"virt-smp{smp}-m{mem}.dtb"
        if not virt_dtb.exists():
            run(qemu_base(smp, mem) +
                ["-machine", f"dumpdtb={virt_dtb}"],
                stdout=subprocess.DEVNULL)
        virt_dts = virt_dtb.with_suffix(".dts")
        if newer(virt_dts, virt_dtb):
            run(["dtc", "-q", "-I", "dtb", "-O", "dts", "-o", str(virt_dts),
                 str(virt_dtb)])
        merged = BOOT / f"{name}.dts"
        body = virt_dts.read_text()
        if nodes is not None:
            body += "\n" + nodes.read_text()
        merged.write_text(body)
    run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(dtb), str(merged)])
    return dtb


# QEMU's load_device_tree() opens a -dtb blob into (size + 10000) * 2
# bytes and passes it on at that size; an arm64 kernel maps at most
# MAX_FDT_SIZE (2 MiB) of it and stops before any console otherwise.
ARM64_MAX_FDT = ARM64.max_fdt
QEMU_FDT_SLACK = 10000


def qemu_fdt_size(size: int) -> int:
    """The size of the blob the guest sees for a -dtb of size bytes."""
    return (size + QEMU_FDT_SLACK) * 2


def check_dtb_size(dtb: Path, arch: Arch = ARM64) -> None:
    """Refuse a device tree QEMU would hand over too large to boot."""
    size = dtb.stat().st_size
    if qemu_fdt_size(size) > arch.max_fdt:
        limit = arch.max_fdt // 2 - QEMU_FDT_SLACK
        raise BootError(f"{dtb} is {size} bytes: QEMU passes it on as "
                        f"{qemu_fdt_size(size)}, over the {arch.max_fdt} "
                        f"the kernel maps (at most {limit} bytes)")


# A kernel message on the console, printed while init printed a file.
PRINTK_RE = re.compile(r"^\[\s*\d+\.\d+\] ")
# Files that have no line starting with a printk time: kernel messages
# the console printed while init printed them are left out.  The output
# of a program init runs is kept as it is.  /step/ and /init/ hold copies
# of debugfs files and lists of device names.
QUIET_FILES = ("/sys/", "/proc/", "/kmsg/", "/step/", "/init/")


def parse_console(text: str) -> Dict[str, str]:
    """Return the files printed between begin/end markers, by path."""
    files: Dict[str, str] = {}
    current: Optional[str] = None
    buf: List[str] = []
    for line in text.splitlines():
        line = line.rstrip("\r")
        if current is None:
            m = BEGIN_RE.match(line)
            if m:
                current, buf = m.group(1), []
            continue
        m = END_RE.match(line)
        if m and m.group(1) == current:
            files[current] = "\n".join(buf) + ("\n" if buf else "")
            current = None
        elif not (current.startswith(QUIET_FILES) and
                  PRINTK_RE.match(line)):
            buf.append(line)
    if current is not None:
        raise BootError(f"no end marker for {current}")
    return files


# A machine without a power-off method (no PSCI on the i.MX6's Cortex-A9,
# none on the AST2600) halts instead of ending QEMU.
HALTED = b"reboot: Power off not available: System halted instead"


def run_qemu(cmd: List[str], log: Path, timeout: int) -> Optional[int]:
    """Run QEMU with its console in @log: its exit status, 0 if the guest
    halted because it cannot power off, None on a timeout."""
    with open(log, "wb") as f:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        halted = threading.Event()

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                f.write(line)
                if HALTED in line and not halted.is_set():
                    halted.set()
                    proc.terminate()

        reader = threading.Thread(target=pump)
        reader.start()
        try:
            rc: Optional[int] = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            rc = None
        reader.join()
    return 0 if halted.is_set() else rc


def boot(args: argparse.Namespace) -> int:
    kbuild = Path(args.kbuild)
    arch = arch_of(args.machine)
    image = kbuild / arch.image
    if not image.exists():
        raise BootError(f"{image} missing: build the kernel first")
    given = args.nodes or args.dts or args.dtb
    name = args.name or (Path(given).stem if given else args.machine)
    if args.machine != "virt" and args.dtb is None:
        raise BootError(f"--machine {args.machine} boots a whole compiled "
                        "tree: give --dtb")
    modules = [Path(m) for m in args.module]
    for m in modules:
        if not m.is_file():
            raise BootError(f"{m} missing")
    rootfs = Path(args.rootfs) if args.rootfs else None
    if rootfs is not None and not rootfs.is_dir():
        raise BootError(f"{rootfs} is not a directory")
    cpio = build_initramfs(kbuild, modules,
                           f"initramfs-{name}" if modules or rootfs
                           else "initramfs" if arch is ARM64
                           else "initramfs-arm", rootfs, arch)
    if args.dtb is not None:
        dtb = Path(args.dtb)
        if not dtb.exists():
            raise BootError(f"{dtb} missing")
    else:
        dtb = make_dtb(Path(args.nodes) if args.nodes else None,
                       Path(args.dts) if args.dts else None,
                       args.smp or 2, args.mem, name)
    check_dtb_size(dtb, arch)
    console = BOARD_MACHINES[args.machine].console \
        if args.machine in BOARD_MACHINES else "ttyAMA0"
    cmdline = (f"console={console} panic=-1 loglevel=6 " + args.append +
               " -- " + args.init_args).strip()
    cmd = qemu_base(args.smp, args.mem, args.machine) + [
        "-kernel", str(image), "-initrd", str(cpio), "-dtb", str(dtb),
        "-append", cmdline]
    log = Path(args.log)
    log.parent.mkdir(parents=True, exist_ok=True)
    print("boot: " + " ".join(shlex.quote(c) for c in cmd), file=sys.stderr)
    start = time.monotonic()
    rc = run_qemu(cmd, log, args.timeout)
    elapsed = time.monotonic() - start
    text = log.read_text(errors="replace")
    problems = []
    if rc is None:
        problems.append(f"timeout after {args.timeout}s")
    elif rc != 0:
        problems.append(f"qemu exited with {rc}")
    fatal = FATAL_RE.search(text)
    if fatal:
        problems.append(f"kernel reported '{fatal.group(0)}'")
    if DONE not in text:
        problems.append("no '" + DONE + "' marker")
    files = parse_console(text)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for path, content in files.items():
            rel = path.replace("/sys/kernel/debug/", "").strip("/")
            dest = out / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(content)
    print(f"boot: {name}: {elapsed:.1f}s, {len(files)} files, log {log}",
          file=sys.stderr)
    if problems:
        for p in problems:
            print(f"boot: error: {p} (see {log})", file=sys.stderr)
        return 1
    return 0


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--nodes", help=".dtsi merged into QEMU virt's tree")
    src.add_argument("--dts", help="a whole device tree to boot instead")
    src.add_argument("--dtb", help="a compiled device tree to boot as is")
    ap.add_argument("--machine", choices=MACHINES, default="virt",
                    help="QEMU machine (default virt)")
    ap.add_argument("--append", default="", help="extra kernel parameters")
    ap.add_argument("--init-args", default="",
                    help="arguments for init, e.g. pg.timeout_s=120")
    ap.add_argument("--module", action="append", default=[],
                    help="a kernel module for the initramfs's /lib/modules"
                    " (repeatable; load it with pg.steps=insmod:NAME)")
    ap.add_argument("--rootfs",
                    help="a directory whose files go into the initramfs"
                    " at the same paths (run one with pg.run=PATH)")
    ap.add_argument("--log", required=True, help="console log to write")
    ap.add_argument("--out", help="directory for the debugfs files")
    ap.add_argument("--name", help="name for the generated files")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--smp", type=int,
                    help="CPUs of virt (default 2), or of sabrelite or "
                    "mcimx7d-sabre instead of the board's own")
    ap.add_argument("--mem", type=int, default=1024,
                    help="MiB of virt (a board has its own)")
    ap.add_argument("--kbuild", default=str(WORK / "arm64"),
                    help="kernel build directory (default .build/arm64)")
    args = ap.parse_args(argv)
    try:
        return boot(args)
    except (BootError, subprocess.CalledProcessError) as e:
        print(f"boot: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

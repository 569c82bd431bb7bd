#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The boards harness/boards and harness/rpi3-bench boot: QEMU's models of
real boards with the kernel's own trees, and what their trees and drivers
say about the devices that defer or do not bind."""

from typing import Dict

from boardbench import Board

# What the device tree and the drivers say about the dependencies that no
# edge declares on this board, and what QEMU raspi3b does not model.
RPI3_NOTES: Dict[str, str] = {
    "leds": (
        "gpio-leds takes its GPIO from the child node led-act (`gpios = "
        "<&expgpio 2 ...>`).  fw_devlink turns a dependency of a child node "
        "into a sync-state-only proxy link of /leds (edge state `relaxed`), "
        "which does not hold the probe back, so the driver asks for the GPIO "
        "before soc:firmware:gpio exists and returns -EPROBE_DEFER.  Once "
        "the expander is there the probe fails with -EIO (5): QEMU's "
        "firmware model does not answer the expander's GET_GPIO_CONFIG / "
        "GET_GPIO_STATE property tags (\"Failed to get GPIO 2 config\")."),
    "soc:power": (
        "raspberrypi-power finds the firmware through its `firmware = "
        "<&firmware>` property, which fw_devlink does not parse "
        "(drivers/of/property.c has no parser for it), so no edge declares "
        "soc:firmware as its supplier; devm_rpi_firmware_get() returns NULL "
        "until soc:firmware has bound and the driver returns -EPROBE_DEFER."),
    "3f300000.mmc": (
        "sdhci-iproc (the Wi-Fi SDIO host) has `mmc-pwrseq = "
        "<&wifi_pwrseq>`, which fw_devlink parses since \"of: property: "
        "fw_devlink: Add support for \"mmc-pwrseq\"\", so wifi-pwrseq is "
        "its declared supplier.  wifi-pwrseq fails with -EIO (5) because "
        "its reset GPIO is on the firmware GPIO expander, which QEMU does "
        "not model, so the host stays unbound in every mode: with the graph "
        "it waits and is never probed, without it "
        "device_links_check_suppliers() defers each retry."),
    "soc:firmware:clocks": (
        "raspberrypi-clk gets the firmware of its parent node with "
        "devm_rpi_firmware_get() and returns -EPROBE_DEFER until "
        "soc:firmware has bound; its only declared dependency is that "
        "parent."),
    "soc:firmware:gpio": (
        "raspberrypi-exp-gpio gets the firmware of its parent node with "
        "devm_rpi_firmware_get() and returns -EPROBE_DEFER until "
        "soc:firmware has bound; its only declared dependency is that "
        "parent."),
    "wifi-pwrseq": (
        "pwrseq_simple: its reset GPIO is on the firmware GPIO expander.  "
        "Once that exists the probe fails with -EIO (5): QEMU's firmware "
        "model does not answer the expander's property tags."),
    "bcm2835-power": (
        "bcm2835-power returns -ENODEV (19): QEMU raspi3b does not model "
        "the ASB (\"ASB register ID returned 0x00000000\")."),
    "soc:firmware": (
        "/soc/firmware is compatible with \"raspberrypi,bcm2835-firmware\", "
        "\"simple-mfd\": simple-pm-bus matches it first and rejects it with "
        "-ENODEV (19) since \"simple-mfd\" is not its first compatible, then "
        "raspberrypi-firmware binds it."),
}


RPI3_REMARK = (
    "Not in the table: the SPI controllers (spi@7e204000, spi@7e215080, "
    "spi@7e2150c0) and I2S are `status = \"disabled\"` in the board's "
    "tree, so SPI_BCM2835 and SPI_BCM2835AUX have no device; the display "
    "and VideoCore nodes (txp, hvs, pixelvalve, vec, hdmi, v3d, gpu) and "
    "the system timer have no driver in rpi3.config (\"no driver\" in "
    "probe_graph/devices); QEMU attaches no USB device to the DWC2 root "
    "hub, so the SMSC9514 hub and its Ethernet are never enumerated.  The "
    "firmware's GPIO expander binds, but QEMU's firmware model does not "
    "answer its GPIO property tags (\"Failed to get GPIO n config\").")


RASPI3B = Board(
    machine="raspi3b", title="Raspberry Pi 3 model B",
    dts="broadcom/bcm2837-rpi-3-b.dts", fragment="rpi3.config",
    kbuild="rpi3", hardware="4 Cortex-A53, 1 GiB", notes=RPI3_NOTES,
    transient={"serial8250:0.1": (
        "serial8250:0.1 is the legacy 8250 port whose line the mini UART "
        "(3f215040.serial, alias serial1) takes over: 8250 unregisters the "
        "port and registers the mini UART's in its place.  A boot without "
        "a record for it had it unregistered before it was probed.")},
    remark=RPI3_REMARK)

# The 32-bit boards share one kernel, harness/configs/armv7-boards.config.

def simple_bus(first: str) -> str:
    """Why a bus or syscon node a driver declines stays unbound."""
    return (f"compatible = \"{first}\", then \"simple-bus\" or "
            "\"simple-mfd\": simple-pm-bus takes such a node only when "
            "that is its first compatible and returns -ENODEV (19), and no "
            f"driver in armv7-boards.config binds \"{first}\".  "
            "of_platform_default_populate() created its children at boot, "
            "so they do not need it, in every mode.")


SNVS_RTC = ("snvs_rtc: \"failed to enable rtc -110\": QEMU's SNVS model "
            "does not implement the low-power RTC, so the enable bit never "
            "reads back set (-ETIMEDOUT), in every mode.")

SABRELITE = Board(
    machine="sabrelite", title="i.MX6Q SABRE Lite",
    dts="nxp/imx/imx6q-sabrelite.dts", fragment="armv7-boards.config",
    kbuild="armv7", hardware="4 Cortex-A9, 1 GiB",
    notes={
        "2000000.bus": simple_bus("fsl,aips-bus"),
        "2100000.bus": simple_bus("fsl,aips-bus"),
        "2000000.spba-bus": simple_bus("fsl,spba-bus"),
        "20c8000.anatop": simple_bus("fsl,imx6q-anatop"),
        "20cc000.snvs": simple_bus("fsl,sec-v4.0-mon"),
        "20e0000.iomuxc-gpr": simple_bus("fsl,imx6q-iomuxc-gpr"),
        "20cc000.snvs:snvs-rtc-lp": SNVS_RTC,
    })

MCIMX7D_SABRE = Board(
    machine="mcimx7d-sabre", title="i.MX7D SABRE",
    dts="nxp/imx/imx7d-sdb.dts", fragment="armv7-boards.config",
    kbuild="armv7", hardware="2 Cortex-A7, 1 GiB",
    notes={
        "30000000.bus": simple_bus("fsl,aips-bus"),
        "30400000.bus": simple_bus("fsl,aips-bus"),
        "30800000.bus": simple_bus("fsl,aips-bus"),
        "30800000.spba-bus": simple_bus("fsl,spba-bus"),
        "30340000.iomuxc-gpr": simple_bus("fsl,imx7d-iomuxc-gpr"),
        "30360000.anatop": simple_bus("fsl,imx7d-anatop"),
        "30370000.snvs": simple_bus("fsl,sec-v4.0-mon"),
        "30370000.snvs:snvs-rtc-lp": SNVS_RTC,
    },
    remark=(
        "Not in the table: the second Ethernet (30be0000.ethernet) and "
        "regulator-lcd-3v3 wait, in every mode, for their supplier "
        "/spi-4/gpio-expander@0, a 74HC595 on a bit-banged SPI bus whose "
        "drivers (SPI_GPIO, GPIO_74X164) armv7-boards.config does not "
        "build (\"waiting for supplier /spi-4/gpio-expander@0 (no "
        "device)\" in probe_graph/devices)."))

ORANGEPI_PC = Board(
    machine="orangepi-pc", title="Orange Pi PC (Allwinner H3)",
    dts="allwinner/sun8i-h3-orangepi-pc.dts", fragment="armv7-boards.config",
    kbuild="armv7", hardware="4 Cortex-A7, 1 GiB")

AST2600_EVB = Board(
    machine="ast2600-evb", title="ASPEED AST2600 EVB",
    dts="aspeed/aspeed-ast2600-evb.dts", fragment="armv7-boards.config",
    kbuild="armv7", hardware="2 Cortex-A7, 1 GiB",
    notes={
        "1e789000.lpc": simple_bus("aspeed,ast2600-lpc-v2"),
    })

BOARDS: Dict[str, Board] = {b.machine: b for b in (
    RASPI3B, SABRELITE, MCIMX7D_SABRE, ORANGEPI_PC, AST2600_EVB)}

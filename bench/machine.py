"""One line that says which machine a benchmark ran on, printed first by every bench/*.py, so
figures from different machines are never mixed up: CPU model, the vector extensions Seer's
kernels choose between at run time, cores, and the clock the kernel reports."""

import os
import platform

# The flags that change which kernel runs (Seer picks AVX-512 or AVX2/FMA at run time; BF16
# and VNNI matter for reduced precision).
KERNEL_FLAGS = ["avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8", "avx2", "fma", "f16c", "asimd", "sve"]


def describe():
    model, flags, mhz = platform.processor() or platform.machine(), set(), None
    family = cpu_model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key, value = key.strip(), value.strip()
                if key == "model name" and model in ("", platform.machine(), platform.processor()):
                    model = value
                elif key in ("flags", "Features") and not flags:
                    flags = set(value.split())
                elif key == "cpu MHz" and mhz is None:
                    mhz = float(value)
                elif key == "cpu family" and family is None:
                    family = value
                elif key == "model" and cpu_model is None:
                    cpu_model = value
    except OSError:
        pass  # macOS: platform.processor() is all there is
    have = [f for f in KERNEL_FLAGS if f in flags]
    clock = f", {mhz / 1000:.2f} GHz" if mhz else ""
    # Virtual machines often report a bare "AMD EPYC": family and model tell the generation
    # apart (AMD family 25 is Zen 3 or Zen 4 by model, family 26 Zen 5).
    if family and cpu_model:
        model += f" (family {family} model {cpu_model}{zen_generation(family, cpu_model)})"
    return f"machine: {model}, {os.cpu_count()} cores{clock}, {' '.join(have) or 'no listed vector flags'}"


def zen_generation(family, model):
    try:
        family, model = int(family), int(model)
    except ValueError:
        return ""
    if family == 23:
        return ", Zen 2" if model >= 0x30 else ", Zen/Zen+"
    if family == 25:
        # Zen 3: 0x00-0x0f Milan, 0x20-0x2f Vermeer, 0x40-0x5f Rembrandt/Cezanne; the rest Zen 4.
        return ", Zen 3" if model < 0x10 or 0x20 <= model < 0x30 or 0x40 <= model < 0x60 else ", Zen 4"
    if family == 26:
        return ", Zen 5"
    return ""


if __name__ == "__main__":
    print(describe())

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
    except OSError:
        pass  # macOS: platform.processor() is all there is
    have = [f for f in KERNEL_FLAGS if f in flags]
    clock = f", {mhz / 1000:.2f} GHz" if mhz else ""
    return f"machine: {model}, {os.cpu_count()} cores{clock}, {' '.join(have) or 'no listed vector flags'}"


if __name__ == "__main__":
    print(describe())

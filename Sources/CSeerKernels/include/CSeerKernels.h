#include "seer_kernels.h"
#include "seer_gemm.h"

/* dlmkl.h: the umbrella header of the dlmkl library — include this one header to use every
 * public module (build with `pkg-config --cflags --libs dlmkl`). */
#ifndef DLMKL_DLMKL_H
#define DLMKL_DLMKL_H

#include "dlmkl/adaptive.h"
#include "dlmkl/common.h"
#include "dlmkl/dist.h"
#include "dlmkl/host.h"
#include "dlmkl/io.h"
#include "dlmkl/kl.h"
#include "dlmkl/kl_output.h"
#include "dlmkl/law_file.h"
#include "dlmkl/minimax.h"
#include "dlmkl/overshoot.h"
#include "dlmkl/plogp.h"
#include "dlmkl/positions.h"
#include "dlmkl/predictor.h"
#include "dlmkl/profile.h"
#include "dlmkl/profile_exchangeable.h"
#include "dlmkl/profile_markov.h"
#include "dlmkl/profile_sparse.h"
#include "dlmkl/sampler.h"
#include "dlmkl/schedule.h"
#include "dlmkl/sizes.h"
#include "dlmkl/sweep.h"
#include "dlmkl/worst.h"

#endif

#!/bin/bash
# slurm_profile.sh — the exact entropy profile of a large table on several nodes with dlmkl-mpi.
# Submit with `sbatch examples/slurm_profile.sh`; edit the spec, the node count and the time.
# One MPI process per node, each with every core of its node as OpenMP threads: the profile's
# units are split over the processes and the threads, and the result has the same bits as
# `dlmkl profile` on one machine. Every process builds the whole table (V^L doubles, 8 GiB at
# V = 2, L = 30): ask for that much memory per node, plus at most one more table of workspace.
#SBATCH --job-name=dlmkl-profile
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=32
#SBATCH --mem=0
#SBATCH --time=02:00:00
#SBATCH --output=dlmkl-profile-%j.log
set -euo pipefail
SPEC=${SPEC:-random:L=24,V=2,seed=1}
export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
export OMP_PROC_BIND=close OMP_PLACES=cores
# srun starts the processes (Slurm's PMI); `mpirun -np 4 --map-by ppr:1:node --bind-to none` works
# too outside Slurm. --max-memory: the cap per process (default: half of the node's memory).
srun --cpu-bind=none dlmkl-mpi profile --dist "$SPEC" --threads "$OMP_NUM_THREADS" \
    -o "profile-${SLURM_JOB_ID}.csv"
# a sweep the same way: the CSV, journal and metadata are written by rank 0 into --out-dir (on a
# shared file system); resubmit with --resume after a time-out
# srun --cpu-bind=none dlmkl-mpi sweep experiments/q3_rates_L.ini --out-dir results --resume

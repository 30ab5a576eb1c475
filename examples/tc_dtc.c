/* tc_dtc.c: TC and DTC of a law given by a spec. cc tc_dtc.c $(pkg-config --cflags --libs dlmkl) */
#include <stdio.h>
#include <dlmkl/dlmkl.h>

int main(int argc, char **argv)
{
    dlmkl_dist *d;
    if (dlmkl_dist_from_spec(argc > 1 ? argv[1] : "markov:L=8,stay=0.9", 0, &d) != DLMKL_OK)
        return fprintf(stderr, "%s\n", dlmkl_last_error()), 1;
    dlmkl_profile *prof = dlmkl_profile_alloc(d->L);
    if (!prof || dlmkl_profile_compute(d, prof) != DLMKL_OK)
        return fprintf(stderr, "%s\n", dlmkl_last_error()), 1;
    printf("TC=%.17g DTC=%.17g\n", dlmkl_profile_tc(prof), dlmkl_profile_dtc(prof));
    dlmkl_profile_free(prof), dlmkl_dist_free(d);
    return 0;
}

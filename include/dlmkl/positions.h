/* positions.h: position policies — which still-masked positions an iteration reveals. */
#ifndef DLMKL_POSITIONS_H
#define DLMKL_POSITIONS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DLMKL_POS_RANDOM = 0,  /* uniform among the still-masked positions (the theory's setting) */
    DLMKL_POS_L2R = 1,     /* left to right: order 0,1,...,L−1 */
    DLMKL_POS_STRIDE = 2   /* dilated: residues mod d in turn: 0,d,2d,..,1,1+d,.. (d = stride) */
} dlmkl_positions_kind;

typedef struct dlmkl_positions {
    dlmkl_positions_kind kind;
    int stride;            /* STRIDE: d (0 = default: K) */
} dlmkl_positions;

/*! Parse "random", "l2r", "stride" or "stride:D". */
int dlmkl_positions_parse(const char *spec, dlmkl_positions *pos);
/*! Canonical name into buf ("random", "l2r", "stride:4"). */
const char *dlmkl_positions_name(const dlmkl_positions *pos, int K, char *buf, size_t len);
/*! For ordered policies, the reveal order (a permutation of 0..L−1): tokens are revealed in this
 *  order, s_1 at a time, then s_2, .... K is used for the default stride. */
int dlmkl_positions_order(const dlmkl_positions *pos, int L, int K, int *order);

#ifdef __cplusplus
}
#endif
#endif

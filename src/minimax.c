/* minimax.c: the minimax-optimal agnostic size law (an LP solved with GLPK), the worst case of any
 * schedule over the extreme profiles h_d(m) = min(m, d), and the best deterministic schedule for
 * the same criterion. The math is in include/dlmkl/minimax.h. */
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glpk.h>

#include "dlmkl/common.h"
#include "dlmkl/minimax.h"

/* "tc", "dtc", "both" */
static const char *target_name(dlmkl_minimax_target target)
{
    switch (target) {
    case DLMKL_MINIMAX_TC:
        return "tc";
    case DLMKL_MINIMAX_DTC:
        return "dtc";
    case DLMKL_MINIMAX_BOTH:
        return "both";
    }
    return "?";
}

/* w(d), the measure of h_d the worst case divides by. */
static double weight(dlmkl_minimax_target target, int L, int d)
{
    switch (target) {
    case DLMKL_MINIMAX_TC:
        return (double)(L - d);
    case DLMKL_MINIMAX_DTC:
        return (double)d;
    case DLMKL_MINIMAX_BOTH:
        break;
    }
    return (double)(d < L - d ? d : L - d);
}

static int check_args(int L, int K, dlmkl_minimax_target target)
{
    if (target != DLMKL_MINIMAX_TC && target != DLMKL_MINIMAX_DTC && target != DLMKL_MINIMAX_BOTH)
        return dlmkl_error(DLMKL_EINVAL, "minimax: unknown target %d (tc, dtc or both)", (int)target);
    if (L < 1)
        return dlmkl_error(DLMKL_EINVAL, "minimax: L = %d, need at least one token", L);
    if (K < 1 || K > L)
        return dlmkl_error(DLMKL_EINVAL, "minimax: K = %d iterations, need 1 <= K <= L = %d", K, L);
    return DLMKL_OK;
}

/* ---- worst case of a schedule ---- */

int dlmkl_minimax_worst(const dlmkl_schedule *s, dlmkl_minimax_target target, double *worst, int *d_worst)
{
    const int L = s->L, K = s->nsteps;
    int st = check_args(L, 1, target);
    if (st)
        return st;
    if (K < 1 || s->budget < 1)
        return dlmkl_error(DLMKL_EINVAL, "minimax: the schedule has K = %d iterations (budget %d), need at least 1", K, s->budget);
    const size_t n1 = (size_t)L + 1;
    if ((st = dlmkl_check_memory((n1 * n1 + 3 * n1) * sizeof(double), "the minimax worst-case DP")))
        return st;
    double *y = calloc(n1 * n1, sizeof *y); /* y[m*(L+1)+s] = Σ_k P(m_k = m, s_k = s) */
    double *P = calloc(n1, sizeof *P), *Q = calloc(n1, sizeof *Q), *ps = malloc(n1 * sizeof *ps);
    if (!y || !P || !Q || !ps) {
        free(y), free(P), free(Q), free(ps);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    P[0] = 1.0;
    for (int k = 0; k < K && st == DLMKL_OK; k++) {
        memset(Q, 0, n1 * sizeof *Q);
        for (int m = 0; m <= L; m++) {
            if (P[m] == 0.0)
                continue;
            if ((st = dlmkl_schedule_step_law(s, k, m, ps)) != DLMKL_OK)
                break;
            for (int j = 0; j <= L - m; j++)
                if (ps[j] > 0) {
                    y[(size_t)m * n1 + (size_t)j] += P[m] * ps[j];
                    Q[m + j] += P[m] * ps[j];
                }
        }
        double *t = P;
        P = Q, Q = t;
    }
    double best = 0;
    int bd = 0;
    if (st == DLMKL_OK) {
        if (P[L] < 1.0 - 1e-9)
            st = dlmkl_error(DLMKL_EINVAL, "minimax: the schedule leaves tokens masked with probability %.3g", 1.0 - P[L]);
        /* KL_d = Σ_{m<d} Σ_{s>d−m} y(m, s)·(m + s − d) */
        for (int d = 1; d < L && st == DLMKL_OK; d++) {
            double kl = 0;
            for (int m = 0; m < d; m++)
                for (int j = d - m + 1; j <= L - m; j++)
                    kl += y[(size_t)m * n1 + (size_t)j] * (double)(m + j - d);
            double v = (double)s->budget * kl / weight(target, L, d);
            if (v > best || bd == 0)
                best = v, bd = d;
        }
    }
    free(y), free(P), free(Q), free(ps);
    if (st == DLMKL_OK) {
        *worst = best;
        if (d_worst)
            *d_worst = bd;
    }
    return st;
}

/* ---- best deterministic schedule ---- */

int dlmkl_minimax_fixed(int L, int K, dlmkl_minimax_target target, int *sizes, int *nsteps, double *worst)
{
    int st = check_args(L, K, target);
    if (st)
        return st;
    const size_t n1 = (size_t)L + 1;
    if ((st = dlmkl_check_memory((n1 * n1 + 2 * ((size_t)K + 1) * n1) * sizeof(double), "the best deterministic schedule DP")))
        return st;
    double *f = malloc(n1 * n1 * sizeof *f);            /* f[a*(L+1)+b] = max_{a<d<b} K(b−d)/w(d) */
    double *B = malloc(((size_t)K + 1) * n1 * sizeof *B); /* B[j][n]: best max over j parts reaching n */
    int *arg = malloc(((size_t)K + 1) * n1 * sizeof *arg);
    if (!f || !B || !arg) {
        free(f), free(B), free(arg);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    for (int a = 0; a <= L; a++)
        for (int b = a; b <= L; b++) {
            double mx = 0;
            for (int d = a + 1; d < b; d++) {
                double v = (double)K * (double)(b - d) / weight(target, L, d);
                if (v > mx)
                    mx = v;
            }
            f[(size_t)a * n1 + (size_t)b] = mx;
        }
    for (int n = 0; n <= L; n++)
        B[n] = n == 0 ? 0.0 : INFINITY;
    for (int j = 1; j <= K; j++)
        for (int n = 0; n <= L; n++) {
            double bv = B[(size_t)(j - 1) * n1 + (size_t)n]; /* a part of size 0: as with j − 1 parts */
            int ba = n;
            for (int a = 0; a < n; a++) {
                double prev = B[(size_t)(j - 1) * n1 + (size_t)a];
                double v = prev > f[(size_t)a * n1 + (size_t)n] ? prev : f[(size_t)a * n1 + (size_t)n];
                if (v < bv)
                    bv = v, ba = a;
            }
            B[(size_t)j * n1 + (size_t)n] = bv;
            arg[(size_t)j * n1 + (size_t)n] = ba;
        }
    /* walk back: parts of positive size only, in order */
    int cnt = 0, n = L;
    for (int j = K; j >= 1 && n > 0; j--) {
        int a = arg[(size_t)j * n1 + (size_t)n];
        if (a < n)
            sizes[cnt++] = n - a;
        n = a;
    }
    for (int i = 0; i < cnt / 2; i++) {
        int t = sizes[i];
        sizes[i] = sizes[cnt - 1 - i];
        sizes[cnt - 1 - i] = t;
    }
    for (int i = cnt; i < K; i++)
        sizes[i] = 0;
    *nsteps = cnt;
    *worst = B[(size_t)K * n1 + (size_t)L];
    free(f), free(B), free(arg);
    return DLMKL_OK;
}

/* ---- the LP ---- */

/* GLPK's fatal errors call this hook; returning from it would abort the process, so it jumps back
 * into dlmkl_minimax_law (one pending solve per thread). */
static _Thread_local jmp_buf *glpk_jump;

static void glpk_fatal(void *info)
{
    (void)info;
    longjmp(*glpk_jump, 1);
}

/* GLPK turns its terminal output back on to print a fatal error; this hook swallows all of its
 * output and keeps the first line of the last message for dlmkl's error text. */
static _Thread_local char glpk_text[256];

static int glpk_term(void *info, const char *text)
{
    (void)info;
    if (glpk_text[0] == '\0') {
        size_t n = strcspn(text, "\n");
        if (n >= sizeof glpk_text)
            n = sizeof glpk_text - 1;
        memcpy(glpk_text, text, n);
        glpk_text[n] = '\0';
    }
    return 1; /* nonzero: GLPK prints nothing */
}

/* Layout of the LP. Columns (1-based): 1 = t; x(k, m, s) for k = 0..K−1 (0-based), m allowed at k
 * (k = 0: m = 0 only), s in [smin, smax] (k = K−1: s = L − m only, else 0..L−m); then y(m, s) for
 * m = 0..L−2, s = 2..L−m. Rows: flow rows (k = 0: one row; k >= 1: m = 0..L), then one y row per
 * y column, then the d rows d = 1..L−1. */
typedef struct lp_layout {
    int L, K;
    int *xoff;   /* (k, m) -> first column of x(k, m, smin), or 0 if (k, m) has no variables */
    int *frow;   /* (k, m) -> its flow row, or 0 */
    int *yoff;   /* m -> column of y(m, 2) (and the y row of y(m, 2) is yrow0 + column − ycol0) */
    int ncols, nrows, ycol0, yrow0, drow0;
    long nnz;
} lp_layout;

/* Without loss of generality every step reveals at least one token (K <= L): a path with a step
 * of size 0 has a jump of size >= 2 elsewhere, and splitting m -> m + s into m -> m + 1 -> m + s
 * costs (m + s − d)^+·1[m + 1 < d] <= (m + s − d)^+·1[m < d] for every d at once. So at 0-based
 * step k, m ranges over [k, L − K + k] (m = 0 at k = 0) and s over [1, L − K + k + 1 − m]; the last
 * step (k = K − 1) has s = L − m. */
static int m_lo(const lp_layout *g, int k)
{
    (void)g;
    return k;
}

static int m_hi(const lp_layout *g, int k)
{
    return k == 0 ? 0 : g->L - g->K + k;
}

static int smin_of(const lp_layout *g, int k, int m)
{
    return k == g->K - 1 ? g->L - m : 1;
}

/* y(m, s) exists for 2 <= s <= min(L − m, L − K + 1), the largest step a path can take */
static int y_smax(const lp_layout *g, int m)
{
    int a = g->L - m, b = g->L - g->K + 1;
    return a < b ? a : b;
}

static int smax_of(const lp_layout *g, int k, int m)
{
    return k == g->K - 1 ? g->L - m : g->L - g->K + k + 1 - m;
}

int dlmkl_minimax_law(int L, int K, dlmkl_minimax_target target, dlmkl_schedule **out, double *worst,
                      dlmkl_minimax_info *info)
{
    *out = NULL;
    int st = check_args(L, K, target);
    if (st)
        return st;
    const double est = (double)K * ((double)L + 1) * ((double)L + 2) / 2.0;
    if (est > DLMKL_MINIMAX_MAX_VARS)
        return dlmkl_error(DLMKL_EINVAL,
                           "minimax: L = %d, K = %d needs an LP with about %.0f variables, above the budget of %.0f "
                           "(K·(L+1)(L+2)/2); use a smaller L or K",
                           L, K, est, DLMKL_MINIMAX_MAX_VARS);
    const size_t n1 = (size_t)L + 1, nkm = (size_t)K * n1;

    /* layout */
    lp_layout g = {.L = L, .K = K};
    size_t ny = 0;
    long nx = 0, nnz = 0;
    for (int k = 0; k < K; k++)
        for (int m = m_lo(&g, k); m <= m_hi(&g, k); m++)
            nx += smax_of(&g, k, m) - smin_of(&g, k, m) + 1;
    nnz = 3 * nx + 1 + (L - 1); /* x: <= 3 entries; y: +1 in its row; t: L − 1 */
    for (int m = 0; m <= L - 2; m++)
        for (int s = 2; s <= y_smax(&g, m); s++)
            nnz += 1 + (s - 1), ny++;
    size_t bytes = (2 * nkm + n1) * sizeof(int) + ((size_t)nnz + 1) * (2 * sizeof(int) + sizeof(double)) +
                   ((size_t)nx + ny + 2) * sizeof(double) + nkm * sizeof(double);
    /* GLPK keeps its own copy of the matrix (row and column lists) and its factorisation */
    if ((st = dlmkl_check_memory(bytes + (size_t)nnz * 64 + ((size_t)nx + ny) * 200, "the minimax LP")))
        return st;
    g.xoff = calloc(nkm, sizeof *g.xoff);
    g.frow = calloc(nkm, sizeof *g.frow);
    g.yoff = calloc(n1, sizeof *g.yoff);
    int *ia = malloc(((size_t)nnz + 1) * sizeof *ia), *ja = malloc(((size_t)nnz + 1) * sizeof *ja);
    double *ar = malloc(((size_t)nnz + 1) * sizeof *ar);
    double *xv = malloc(((size_t)nx + 1) * sizeof *xv); /* x values, in column order */
    double *mass = calloc(nkm, sizeof *mass);
    if (!g.xoff || !g.frow || !g.yoff || !ia || !ja || !ar || !xv || !mass) {
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
        goto done;
    }
    int col = 2, row = 1;
    for (int k = 0; k < K; k++)
        for (int m = m_lo(&g, k); m <= m_hi(&g, k); m++) {
            g.xoff[(size_t)k * n1 + (size_t)m] = col;
            col += smax_of(&g, k, m) - smin_of(&g, k, m) + 1;
            g.frow[(size_t)k * n1 + (size_t)m] = row++;
        }
    g.ycol0 = col;
    g.yrow0 = row;
    for (int m = 0; m <= L - 2; m++) {
        g.yoff[m] = col;
        col += y_smax(&g, m) >= 2 ? y_smax(&g, m) - 1 : 0;
    }
    row += col - g.ycol0;
    g.drow0 = row;
    row += L - 1;
    g.ncols = col - 1;
    g.nrows = row - 1;

    /* matrix */
    long e = 0;
#define PUT(r, c, v) (++e, ia[e] = (r), ja[e] = (c), ar[e] = (v))
    for (int k = 0; k < K; k++)
        for (int m = m_lo(&g, k); m <= m_hi(&g, k); m++) {
            int c0 = g.xoff[(size_t)k * n1 + (size_t)m], lo = smin_of(&g, k, m);
            for (int s = lo; s <= smax_of(&g, k, m); s++) {
                int c = c0 + (s - lo);
                PUT(g.frow[(size_t)k * n1 + (size_t)m], c, 1.0);
                if (k + 1 < K)
                    PUT(g.frow[(size_t)(k + 1) * n1 + (size_t)(m + s)], c, -1.0);
                if (s >= 2) {
                    int yc = g.yoff[m] + (s - 2);
                    PUT(g.yrow0 + (yc - g.ycol0), c, -1.0);
                }
            }
        }
    for (int m = 0; m <= L - 2; m++)
        for (int s = 2; s <= y_smax(&g, m); s++) {
            int yc = g.yoff[m] + (s - 2);
            PUT(g.yrow0 + (yc - g.ycol0), yc, 1.0);
            for (int d = m + 1; d < m + s; d++)
                PUT(g.drow0 + (d - 1), yc, (double)K * (double)(m + s - d));
        }
    for (int d = 1; d < L; d++)
        PUT(g.drow0 + (d - 1), 1, -weight(target, L, d));
#undef PUT
    g.nnz = e;
    if (e > nnz) { /* cannot happen: the count above is an upper bound */
        st = dlmkl_error(DLMKL_EINVAL, "minimax: internal error (LP matrix count)");
        goto done;
    }

    /* solve */
    {
        jmp_buf jb;
        glp_prob *volatile lp = NULL;
        volatile int exact = 0;
        volatile double value = 0;
        int old_term = glp_term_out(GLP_OFF);
        glpk_text[0] = '\0';
        glp_term_hook(glpk_term, NULL);
        glpk_jump = &jb;
        glp_error_hook(glpk_fatal, NULL);
        if (setjmp(jb)) {
            /* GLPK's state is undefined after a fatal error: it must be freed whole */
            glp_error_hook(NULL, NULL);
            glp_free_env();
            glp_term_out(old_term); /* the fresh environment GLPK makes next would print again */
            glpk_jump = NULL;
            st = dlmkl_error(DLMKL_EINVAL, "minimax: the LP solver (GLPK) failed with an internal error (%s)",
                             glpk_text[0] ? glpk_text : "no message");
            goto done;
        }
        lp = glp_create_prob();
        glp_set_obj_dir(lp, GLP_MIN);
        glp_add_rows(lp, g.nrows);
        glp_add_cols(lp, g.ncols);
        for (int c = 1; c <= g.ncols; c++)
            glp_set_col_bnds(lp, c, GLP_LO, 0.0, 0.0);
        glp_set_obj_coef(lp, 1, 1.0);
        for (int r = 1; r < g.drow0; r++)
            glp_set_row_bnds(lp, r, GLP_FX, r == g.frow[0] ? 1.0 : 0.0, 0.0);
        for (int d = 1; d < L; d++)
            glp_set_row_bnds(lp, g.drow0 + (d - 1), GLP_UP, 0.0, 0.0);
        glp_load_matrix(lp, (int)e, ia, ja, ar);
        glp_smcp parm;
        glp_init_smcp(&parm);
        parm.msg_lev = GLP_MSG_OFF;
        glp_scale_prob(lp, GLP_SF_AUTO);
        glp_adv_basis(lp, 0);
        int rc = glp_simplex(lp, &parm);
        int stat = rc == 0 ? glp_get_status(lp) : 0;
        if (rc != 0 || stat != GLP_OPT) {
            st = dlmkl_error(DLMKL_EINVAL, "minimax: the LP solver (GLPK) did not reach an optimum (%s %d)",
                             rc != 0 ? "simplex code" : "status", rc != 0 ? rc : stat);
        } else {
            /* the floating-point optimum first; the exact simplex, when it confirms (or repairs) the
             * basis, replaces it; if it fails the floating-point one stands */
            value = glp_get_obj_val(lp);
            for (int c = 2; c < g.ycol0; c++)
                xv[c - 2] = glp_get_col_prim(lp, c);
            if ((double)g.ncols <= DLMKL_MINIMAX_EXACT_VARS) {
                glp_unscale_prob(lp);
                int rc2 = glp_exact(lp, &parm);
                if (rc2 == 0 && glp_get_status(lp) == GLP_OPT) {
                    exact = 1;
                    value = glp_get_obj_val(lp);
                    for (int c = 2; c < g.ycol0; c++)
                        xv[c - 2] = glp_get_col_prim(lp, c);
                }
            }
        }
        glp_delete_prob(lp);
        glp_error_hook(NULL, NULL);
        glp_term_hook(NULL, NULL);
        glp_term_out(old_term);
        glpk_jump = NULL;
        if (st != DLMKL_OK)
            goto done;
        *worst = value < 0 ? 0.0 : value;
        if (info) {
            info->lp_value = *worst;
            info->exact = exact;
            info->variables = g.ncols;
            info->rows = g.nrows;
            info->nonzeros = g.nnz;
        }
    }

    /* the law: P(s | k, m) = x/Σ_s x on rows with mass, entries below DROP dropped */
    {
        const double DROP = 1e-13;
        long nent = 0;
        for (int k = 0; k < K; k++)
            for (int m = 0; m <= L; m++) {
                int c0 = g.xoff[(size_t)k * n1 + (size_t)m];
                long kept = 0;
                if (c0) {
                    int lo = smin_of(&g, k, m);
                    for (int s = lo; s <= smax_of(&g, k, m); s++) {
                        double v = xv[c0 + (s - lo) - 2];
                        if (v > DROP)
                            mass[(size_t)k * n1 + (size_t)m] += v, kept++;
                    }
                }
                nent += kept ? kept : 1;
            }
        dlmkl_schedule *sc = calloc(1, sizeof *sc);
        char name[32];
        snprintf(name, sizeof name, "minimax-%s", target_name(target));
        if (sc) {
            sc->kind = DLMKL_SCHED_LAW;
            sc->L = L;
            sc->nsteps = K;
            sc->budget = K;
            sc->name = strdup(name);
            sc->row_start = malloc((nkm + 1) * sizeof *sc->row_start);
            sc->law = malloc((size_t)nent * sizeof *sc->law);
        }
        if (!sc || !sc->name || !sc->row_start || !sc->law) {
            dlmkl_schedule_free(sc);
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
            goto done;
        }
        int64_t at = 0;
        for (int k = 0; k < K; k++)
            for (int m = 0; m <= L; m++) {
                size_t r = (size_t)k * n1 + (size_t)m;
                sc->row_start[r] = at;
                double tot = mass[r];
                if (tot > 0) {
                    int c0 = g.xoff[r], lo = smin_of(&g, k, m);
                    for (int s = lo; s <= smax_of(&g, k, m); s++) {
                        double v = xv[c0 + (s - lo) - 2];
                        if (v > DROP)
                            sc->law[at++] = (dlmkl_law_entry){s, v / tot};
                    }
                } else {
                    sc->law[at++] = (dlmkl_law_entry){k == K - 1 ? L - m : (m < L ? 1 : 0), 1.0};
                }
            }
        sc->row_start[nkm] = at;
        *out = sc;
    }
    if (info) {
        int dw = 0;
        double lw = 0;
        if ((st = dlmkl_minimax_worst(*out, target, &lw, &dw)) != DLMKL_OK) {
            dlmkl_schedule_free(*out);
            *out = NULL;
            goto done;
        }
        info->law_worst = lw;
        info->worst_d = dw;
    }

done:
    free(g.xoff), free(g.frow), free(g.yoff), free(ia), free(ja), free(ar), free(xv), free(mass);
    return st;
}

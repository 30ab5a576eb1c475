/* law_file.c: the `law:PATH` schedule — a CSV with columns k,m,s,prob giving the step law
 * P(s_k = s | m_k = m), k = 1..K. Checks: integers in range, each (k, m) row sums to 1 (within
 * DLMKL_SUM_TOL), no s listed twice in a row, the last iteration reveals all L − m remaining tokens,
 * and every state reachable from (k = 1, m = 0) with positive probability has a row. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/law_file.h"
#include "internal.h"
#include "schedule_internal.h"

/* Longest line of a law file, and the largest iteration index k it may name. */
#define LAW_MAX_LINE (1 << 20)
#define LAW_MAX_K 1000000000L

/* Read a CSV (RFC 4180: quoted fields, empty fields, CRLF, a byte-order mark) with a header naming
 * columns k,m,s,prob (any order, others ignored, e.g. pandas' index column); k is 1-based. Every
 * number is read strictly and range-checked before any cast; the row tables count against the
 * memory cap before they are allocated. */
int dlmkl_law_file_read(const char *path, int L, int Kgiven, dlmkl_schedule **out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return dlmkl_error(DLMKL_EIO, "law file '%s': cannot open: %s", path, strerror(errno));
    int col[4] = {-1, -1, -1, -1}; /* k, m, s, prob */
    static const char *names[4] = {"k", "m", "s", "prob"};
    dlmkl_line ln = {0};
    dlmkl_csv_row row = {0};
    int got, st = dlmkl_read_line(f, &ln, LAW_MAX_LINE, &got);
    if (st == DLMKL_OK && !got)
        st = dlmkl_error(DLMKL_EINVAL, "law file '%s' is empty; it needs a header k,m,s,prob", path);
    if (st == DLMKL_OK && (st = dlmkl_csv_split(ln.s, &row)) != DLMKL_OK)
        st = dlmkl_error_prefix(st, "law file '%s' line 1 (the header)", path);
    for (int c = 0; c < 4 && st == DLMKL_OK; c++)
        if ((col[c] = dlmkl_csv_find(&row, names[c])) < 0)
            st = dlmkl_error(DLMKL_EINVAL, "law file '%s': header lacks column '%s' (need k,m,s,prob)", path, names[c]);
    size_t cap = 0, n = 0;
    int (*kms)[3] = NULL;
    double *pr = NULL;
    int K = 0;
    while (st == DLMKL_OK && (st = dlmkl_read_line(f, &ln, LAW_MAX_LINE, &got)) == DLMKL_OK && got) {
        if (strspn(ln.s, " \t") == ln.len)
            continue; /* blank line */
        const long lineno = ln.lineno;
        if ((st = dlmkl_csv_split(ln.s, &row)) != DLMKL_OK) {
            st = dlmkl_error_prefix(st, "law file '%s' line %ld", path, lineno);
            break;
        }
        double v[4];
        const double hi[4] = {(double)LAW_MAX_K, (double)L, (double)L, 1.0}, lo[4] = {1, 0, 0, 0};
        for (int j = 0; j < 4 && st == DLMKL_OK; j++) {
            if (col[j] >= row.n)
                st = dlmkl_error(DLMKL_EINVAL, "law file '%s' line %ld: column %s is missing (%d fields)", path,
                                 lineno, names[j], row.n);
            else if (dlmkl_read_double(row.field[col[j]], (size_t)-1, lo[j], hi[j], &v[j]))
                st = dlmkl_error_prefix(DLMKL_EINVAL, "law file '%s' line %ld, column %s%s", path, lineno, names[j],
                                        j == 1 || j == 2 ? " (0 <= m, s <= L)" : "");
            else if (j < 3 && v[j] != floor(v[j]))
                st = dlmkl_error(DLMKL_EINVAL, "law file '%s' line %ld: column %s = %.17g is not an integer", path,
                                 lineno, names[j], v[j]);
        }
        if (st)
            break;
        int k = (int)v[0], m = (int)v[1], s = (int)v[2]; /* all range-checked above */
        if (s > L - m) {
            st = dlmkl_error(DLMKL_EINVAL, "law file '%s' line %ld: (k,m,s) = (%d,%d,%d) out of range (k >= 1, 0 <= m <= L = %d, 0 <= s <= L - m)",
                             path, lineno, k, m, s, L);
            break;
        }
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 1024;
            if ((st = dlmkl_check_memory(nc * (sizeof *kms + sizeof *pr), "the rows of the law file")) != DLMKL_OK)
                break;
            void *a = realloc(kms, nc * sizeof *kms);
            if (a)
                kms = a;
            void *b = realloc(pr, nc * sizeof *pr);
            if (b)
                pr = b;
            if (!a || !b) {
                st = dlmkl_error(DLMKL_ENOMEM, "out of memory reading '%s'", path);
                break;
            }
            cap = nc;
        }
        kms[n][0] = k, kms[n][1] = m, kms[n][2] = s;
        pr[n] = v[3];
        n++;
        if (k > K)
            K = k;
    }
    dlmkl_line_free(&ln);
    dlmkl_csv_row_free(&row);
    if (st == DLMKL_OK && n > 0) {
        /* the (k, m) row index: K·(L+1) + 1 offsets, and as many for the fill pass */
        size_t nr = (size_t)K * ((size_t)L + 1) + 1;
        if (nr > SIZE_MAX / (2 * sizeof(int64_t)))
            st = dlmkl_error(DLMKL_ETOOBIG, "law file '%s': K = %d iterations do not fit in memory", path, K);
        else if (dlmkl_check_memory(nr * 2 * sizeof(int64_t) + n * sizeof(dlmkl_law_entry), "the law's rows") != DLMKL_OK)
            st = dlmkl_error_prefix(DLMKL_ETOOBIG, "law file '%s' (K = %d, L = %d)", path, K, L);
    }
    fclose(f);
    if (st == DLMKL_OK && n == 0)
        st = dlmkl_error(DLMKL_EINVAL, "law file '%s' has no rows", path);
    if (st == DLMKL_OK && Kgiven > 0 && Kgiven != K)
        st = dlmkl_error(DLMKL_EINVAL, "law file '%s' defines iterations 1..%d but K is %d", path, K, Kgiven);
    dlmkl_schedule *sc = NULL;
    if (st == DLMKL_OK && !(sc = dlmkl_schedule_new(DLMKL_SCHED_LAW, L, K, "law")))
        st = DLMKL_ENOMEM;
    size_t nrows = (size_t)K * (size_t)(L + 1);
    if (st == DLMKL_OK) {
        sc->row_start = calloc(nrows + 1, sizeof *sc->row_start);
        sc->law = malloc((n ? n : 1) * sizeof *sc->law);
        if (!sc->row_start || !sc->law)
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    if (st == DLMKL_OK) {
        /* counting sort by row, then by s within a row */
        for (size_t i = 0; i < n; i++)
            sc->row_start[(size_t)(kms[i][0] - 1) * (L + 1) + (size_t)kms[i][1] + 1]++;
        for (size_t r = 0; r < nrows; r++)
            sc->row_start[r + 1] += sc->row_start[r];
        int64_t *fill = malloc((nrows + 1) * sizeof *fill);
        if (!fill)
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
        else {
            memcpy(fill, sc->row_start, (nrows + 1) * sizeof *fill);
            for (size_t i = 0; i < n; i++) {
                size_t r = (size_t)(kms[i][0] - 1) * (L + 1) + (size_t)kms[i][1];
                sc->law[fill[r]++] = (dlmkl_law_entry){kms[i][2], pr[i]};
            }
            free(fill);
        }
        for (size_t r = 0; st == DLMKL_OK && r < nrows; r++) {
            int64_t a = sc->row_start[r], b = sc->row_start[r + 1];
            if (a == b)
                continue;
            int k = (int)(r / (size_t)(L + 1)) + 1, m = (int)(r % (size_t)(L + 1));
            /* insertion sort by s (rows are short) and reject duplicates */
            for (int64_t i = a + 1; i < b; i++)
                for (int64_t j = i; j > a && sc->law[j - 1].s > sc->law[j].s; j--) {
                    dlmkl_law_entry t = sc->law[j];
                    sc->law[j] = sc->law[j - 1];
                    sc->law[j - 1] = t;
                }
            double sum = 0;
            for (int64_t i = a; i < b; i++) {
                if (i > a && sc->law[i].s == sc->law[i - 1].s)
                    st = dlmkl_error(DLMKL_EINVAL, "law file '%s': row (k=%d, m=%d) lists s = %d twice", path, k, m, sc->law[i].s);
                sum += sc->law[i].prob;
            }
            if (st == DLMKL_OK && fabs(sum - 1.0) > DLMKL_SUM_TOL)
                st = dlmkl_error(DLMKL_EINVAL, "law file '%s': P(s_%d = s | m_%d = %d) sums to %.17g over s, not 1", path, k, k, m, sum);
            if (st == DLMKL_OK && k == K)
                for (int64_t i = a; i < b; i++)
                    if (sc->law[i].s != L - m && sc->law[i].prob > 0)
                        st = dlmkl_error(DLMKL_EINVAL,
                                         "law file '%s': at the last iteration k = %d with m = %d revealed, s = %d leaves tokens "
                                         "masked; the last iteration must reveal all L - m = %d remaining",
                                         path, k, m, sc->law[i].s, L - m);
        }
    }
    /* every state reachable from (k=1, m=0) with positive probability must have a row */
    if (st == DLMKL_OK) {
        char *reach = calloc((size_t)(L + 1), 1), *next = calloc((size_t)(L + 1), 1);
        if (!reach || !next)
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
        else
            reach[0] = 1;
        for (int k = 1; st == DLMKL_OK && k <= K; k++) {
            memset(next, 0, (size_t)(L + 1));
            for (int m = 0; m <= L && st == DLMKL_OK; m++) {
                if (!reach[m])
                    continue;
                size_t r = (size_t)(k - 1) * (L + 1) + (size_t)m;
                if (sc->row_start[r] == sc->row_start[r + 1])
                    st = dlmkl_error(DLMKL_EINVAL, "law file '%s' has no row for k = %d, m = %d, a state the law reaches", path, k, m);
                for (int64_t i = sc->row_start[r]; i < sc->row_start[r + 1]; i++)
                    if (sc->law[i].prob > 0)
                        next[m + sc->law[i].s] = 1;
            }
            memcpy(reach, next, (size_t)(L + 1));
        }
        free(reach), free(next);
    }
    free(kms), free(pr);
    if (st != DLMKL_OK) {
        dlmkl_schedule_free(sc);
        return st;
    }
    *out = sc;
    return DLMKL_OK;
}

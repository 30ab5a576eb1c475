# Question 8 (issue 13) — value-adaptive positions and imperfect predictors, exact. Reads the tidy
# tables scripts/q8_kl.sh writes. Left: kl_expected of confidence positions (maxprob, margin,
# entropy) over random positions at equal K (balanced sizes), against K/L, one colour per
# distribution; dashed: the same ratio for kl_output (maxprob). Middle: the self-sized policies,
# expected iterations against kl_output (threshold ○, EB □, entropy-sum △). Right: predictor error
# kl_predictor (points) against the factorisation error kl_expected (line) and the sampler's
# kl_output (dashed) over the temperature T, random positions, L = 8, K = 4.
if (!exists("outdir")) outdir = "results"
set datafile separator "\t"
set datafile missing "NaN"
set termoption noenhanced
set grid xtics ytics lc rgb "#dddddd"
cases = "parity copy markov ising mixture rs dirichlet"
col(i) = word("#1f77b4 #d62728 #2ca02c #ff7f0e #9467bd #8c564b #7f7f7f", i)
fp = outdir."/q8_fig_positions.tsv"
ft = outdir."/q8_fig_threshold.tsv"
fr = outdir."/q8_fig_predictor.tsv"
is(c, s) = strcol(1) eq s ? c : NaN
do for [fmt in "png svg"] {
    if (fmt eq "png") { set terminal pngcairo size 2000, 640 font ",11" noenhanced } else { set terminal svg size 2000, 640 font ",11" noenhanced }
    set output sprintf("%s/q8_kl.%s", outdir, fmt)
    set multiplot layout 1,3 title "Value-adaptive positions and imperfect predictors, exact (dlmkl, issue 13)"
    set title "confidence / random at equal K (balanced sizes)"
    set xlabel "K / L"
    set ylabel "ratio"
    set logscale y
    set key top right font ",9"
    plot for [i=1:7] fp using (is($2, word(cases, i))):3 every ::1 with linespoints lc rgb col(i) pt 7 ps 0.7 title word(cases, i)." kl_expected", \
         for [i=1:7] fp using (is($2, word(cases, i))):6 every ::1 with lines dt 2 lc rgb col(i) notitle, \
         1 with lines lc rgb "black" notitle
    set title "self-sized policies: iterations against kl_output"
    set xlabel "expected iterations (sampler)"
    set ylabel "kl_output (bits)"
    unset logscale y
    set logscale y
    set key top right font ",9"
    plot for [i=1:7] ft using (strcol(1) eq word(cases, i) && strcol(2) eq "threshold" ? $4 : NaN):($6 > 0 ? $6 : NaN) every ::1 with points pt 6 lc rgb col(i) title word(cases, i)." threshold", \
         for [i=1:7] ft using (strcol(1) eq word(cases, i) && strcol(2) eq "eb" ? $4 : NaN):($6 > 0 ? $6 : NaN) every ::1 with points pt 4 lc rgb col(i) notitle, \
         for [i=1:7] ft using (strcol(1) eq word(cases, i) && strcol(2) eq "entsum" ? $4 : NaN):($6 > 0 ? $6 : NaN) every ::1 with points pt 8 lc rgb col(i) notitle
    set title "predictor error against factorisation error (temp:T, random positions, L = 8, K = 4)"
    set xlabel "temperature T"
    set ylabel "bits"
    set logscale y
    pc = "markov ising mixture"
    pcol(i) = col(i + 2)
    plot for [i=1:3] fr using (strcol(1) eq word(pc, i) && strcol(2) eq "random" && strcol(3) eq "temp" ? $4 : NaN):($6 > 0 ? $6 : NaN) every ::1 with points pt 7 lc rgb pcol(i) title word(pc, i)." kl_predictor", \
         for [i=1:3] fr using (strcol(1) eq word(pc, i) && strcol(2) eq "random" && strcol(3) eq "temp" ? $4 : NaN):5 every ::1 with lines lc rgb pcol(i) title word(pc, i)." kl_expected", \
         for [i=1:3] fr using (strcol(1) eq word(pc, i) && strcol(2) eq "random" && strcol(3) eq "temp" ? $4 : NaN):($7 > 0 ? $7 : NaN) every ::1 with lines dt 2 lc rgb pcol(i) title word(pc, i)." kl_output"
    unset multiplot
    set output
}

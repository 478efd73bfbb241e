# R's side of benchmarks/bench_analysis.py: svyby for one rate and one score in every community.
# Usage: Rscript bench_analysis_r.R survey.csv out_rate.csv out_score.csv
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c("integer", "integer", "numeric", "numeric", "integer", "numeric"))
options(survey.lonely.psu = "fail")
des <- svydesign(id = ~building, strata = ~community, weights = ~w, fpc = ~fpc, nest = TRUE, data = d)
t_rate <- system.time(
  rate <- svyby(~aware, ~community, des, svyciprop, vartype = c("se", "ci"), method = "logit")
)[["elapsed"]]
t_score <- system.time(
  score <- svyby(~score, ~community, des, svymean, na.rm = TRUE, vartype = c("se", "ci"))
)[["elapsed"]]
write.csv(data.frame(community = rate$community, estimate = rate[[2]], se = SE(rate),
                     ci_low = rate$ci_l, ci_high = rate$ci_u), args[2], row.names = FALSE)
write.csv(data.frame(community = score$community, estimate = score[[2]], se = SE(score)), args[3],
          row.names = FALSE)
cat(sprintf("R_TIMES %.3f %.3f\n", t_rate, t_score))

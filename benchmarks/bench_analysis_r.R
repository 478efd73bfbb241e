# R's side of benchmarks/bench_analysis.py, end to end: read.csv, svydesign, svyby for one rate and one score in
# every community, the estimates written as JSON (as python -m analysis does). The whole Rscript process is timed
# by the caller; the parts are printed on one line: R_TIMES read design rate score write.
# Usage: Rscript bench_analysis_r.R survey.csv out_rate.csv out_score.csv out.json
suppressMessages({library(survey); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
t_read <- system.time(
  d <- read.csv(args[1], colClasses = c("integer", "integer", "numeric", "numeric", "integer", "numeric"))
)[["elapsed"]]
options(survey.lonely.psu = "fail")
t_design <- system.time(
  des <- svydesign(id = ~building, strata = ~community, weights = ~w, fpc = ~fpc, nest = TRUE, data = d)
)[["elapsed"]]
t_rate <- system.time(
  rate <- svyby(~aware, ~community, des, svyciprop, vartype = c("se", "ci"), method = "logit")
)[["elapsed"]]
t_score <- system.time(
  score <- svyby(~score, ~community, des, svymean, na.rm = TRUE, vartype = c("se", "ci"))
)[["elapsed"]]
t_write <- system.time({
  write.csv(data.frame(community = rate$community, estimate = rate[[2]], se = SE(rate),
                       ci_low = rate$ci_l, ci_high = rate$ci_u), args[2], row.names = FALSE)
  write.csv(data.frame(community = score$community, estimate = score[[2]], se = SE(score)), args[3],
            row.names = FALSE)
  write_json(list(rate = rate, score = score), args[4], digits = NA)
})[["elapsed"]]
cat(sprintf("R_TIMES %.3f %.3f %.3f %.3f %.3f\n", t_read, t_design, t_rate, t_score, t_write))

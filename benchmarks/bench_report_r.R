# R's side of benchmarks/bench_report.py: read.csv, svydesign, one svyby of the 30 item rates by community
# (svymean of the 0/1 columns, code 9 in the denominator), estimates written as CSV. The whole Rscript process is
# timed by the caller; the parts are printed on one line: R_TIMES read design svyby write.
# Usage: Rscript bench_report_r.R respondents.csv out.csv [K]  (K: only the first K items; default all)
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
t_read <- system.time(d <- read.csv(args[1]))[["elapsed"]]
items <- grep("^I[0-9]+$", names(d), value = TRUE)
if (length(args) > 2) items <- items[seq_len(as.integer(args[3]))]
for (k in items) d[[paste0("r", k)]] <- as.numeric(d[[k]] %in% c(1, 2))
d <- d[c("community", "weight", "fpc", paste0("r", items))]  # only what svyby needs (memory)
options(survey.lonely.psu = "fail")
t_design <- system.time(
  des <- svydesign(id = ~1, strata = ~community, weights = ~weight, fpc = ~fpc, data = d)
)[["elapsed"]]
f <- as.formula(paste("~", paste0("r", items, collapse = " + ")))
t_by <- system.time(by <- svyby(f, ~community, des, svymean))[["elapsed"]]
t_write <- system.time({
  est <- coef(by); se <- SE(by)
  write.csv(data.frame(community = rep(by$community, length(items)),
                       item = rep(items, each = nrow(by)), estimate = as.vector(as.matrix(by[paste0("r", items)])),
                       se = as.vector(as.matrix(se))), args[2], row.names = FALSE)
})[["elapsed"]]
cat(sprintf("R_TIMES %.3f %.3f %.3f %.3f\n", t_read, t_design, t_by, t_write))

# Export R's api data sets (survey package) to tests/analysis/data/ for the Python tests and the R topics.
# Run from the repository root:  Rscript tests/analysis/r/export_api.R
args <- commandArgs(trailingOnly = FALSE)
DATA_DIR <- file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=", args, value = TRUE)[1]))), "..", "data")
suppressMessages(library(survey))
data(api)
keep <- c("cds", "stype", "snum", "dnum", "cnum", "pcttest", "api00", "api99", "target", "growth",
          "sch.wide", "comp.imp", "both", "awards", "meals", "ell", "yr.rnd", "mobility", "enroll",
          "api.stu", "avg.ed", "full", "emer")
write_one <- function(df, extra, file) {
  out <- df[, c(keep, extra)]
  write.csv(out, file.path(DATA_DIR, file), row.names = FALSE, na = "")
}
write_one(apistrat, c("pw", "fpc"), "apistrat.csv")
write_one(apiclus1, c("pw", "fpc"), "apiclus1.csv")
write_one(apiclus2, c("pw", "fpc1", "fpc2"), "apiclus2.csv")

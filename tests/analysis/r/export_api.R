# Export R's api data sets (survey package) to CSV for the Python tests.
# Run from this directory:  Rscript export_api.R
suppressMessages(library(survey))
data(api)
keep <- c("cds", "stype", "snum", "dnum", "cnum", "pcttest", "api00", "api99", "target", "growth",
          "sch.wide", "comp.imp", "both", "awards", "meals", "ell", "yr.rnd", "mobility", "enroll",
          "api.stu", "avg.ed", "full", "emer")
write_one <- function(df, extra, file) {
  out <- df[, c(keep, extra)]
  write.csv(out, file, row.names = FALSE, na = "")
}
write_one(apistrat, c("pw", "fpc"), "apistrat.csv")
write_one(apiclus1, c("pw", "fpc"), "apiclus1.csv")
write_one(apiclus2, c("pw", "fpc1", "fpc2"), "apiclus2.csv")

# The one command that writes tests/analysis/reference.json, every R reference number of tests/analysis/.
# Run from the repository root:  Rscript tests/analysis/r/make_reference.R
# Data: tests/analysis/data/ (export_api.R, make_synthetic.py, make_synthetic_weighting.R write it).
# One file per topic in this folder; each defines reference(), returning a named list, stored under its topic.
# To add a topic: write tests/analysis/r/<topic>.R and add one line `<topic> = topic("<topic>.R"),` below.
# R's 15 warnings are expected (svyciprop's glm on domain subsets with zero-weight rows, qbeta/qt at rates of
# 0 or 1 and df = 1): the intervals the tests knowingly skip (test_r_reference.py r_differs, docs/analysis.md).
# The report topic adds one ("NaNs produced": its logit-interval formula at a rate of 1, a unit the tests skip).
# With options(warn=1) this run shows 78 in all: 72 "observations with zero weight not used for calculating
# dispersion" and 2 "glm.fit: algorithm did not converge" (svyciprop on domain subsets), 2 qbeta, 1 NaNs produced.
suppressMessages({library(survey); library(jsonlite)})

args <- commandArgs(trailingOnly = FALSE)
R_DIR <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", args, value = TRUE)[1])))
DATA_DIR <- normalizePath(file.path(R_DIR, "..", "data"))
OUT <- file.path(R_DIR, "..", "reference.json")

# A data set of tests/analysis/data/ as the Python tests read it (an empty cell is missing).
read_data <- function(file) read.csv(file.path(DATA_DIR, file), stringsAsFactors = FALSE, na.strings = "")

# Each topic file runs in its own environment (its helpers do not meet another topic's) with R's default options.
topic <- function(file) {
  old <- options(survey.lonely.psu = "fail")
  on.exit(options(old))
  env <- new.env()
  source(file.path(R_DIR, file), local = env)
  env$reference()
}

reference <- list(
  estimates = topic("estimates.R"),
  weighting = topic("weighting.R"),
  weight_chain = topic("weight_chain.R"),
  report = topic("report.R")
)
json <- toJSON(c(list(generated_by = "tests/analysis/r/make_reference.R", r_version = R.version.string,
                      survey_version = as.character(packageVersion("survey"))), reference),
               auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = 1)
writeLines(json, OUT)
cat("wrote", normalizePath(OUT), "topics:", paste(names(reference), collapse = ", "), "\n")

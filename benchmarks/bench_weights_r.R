# R's side of benchmarks/bench_weights.py: the weight chain of one round, steps 1-4 in plain R (the functions of
# tests/analysis/r/weight_chain.R) and step 5 with survey's rake, margins S2 and S3 per district.
# Usage: Rscript bench_weights_r.R households.csv margins.csv final_weights.bin
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "..", "tests", "analysis", "r", "weight_chain.R"))
h <- read.csv(args[1], colClasses = c("integer", "integer", "integer", "numeric", "character", "numeric",
                                      "integer", "integer"))
mg <- read.csv(args[2], colClasses = c("character", "character", "character", "numeric"))
settings <- list(cap = 4, min_respondents = 5)
t <- system.time({
  steps <- chain_steps(h, settings)
  r <- steps[steps$respondent, ]
  r$dS2 <- paste(r$district, r$S2, sep = "|")
  r$dS3 <- paste(r$district, r$S3, sep = "|")
  des <- svydesign(ids = ~1, weights = ~person_weight, data = r)
  pop <- lapply(c("S2", "S3"), function(v) {
    m <- mg[mg$variable == v, ]
    setNames(data.frame(paste(m$scope, m$category, sep = "|"), m$total), c(paste0("d", v), "Freq"))
  })
  raked <- rake(des, list(~dS2, ~dS3), pop, control = list(epsilon = 1e-10, maxit = 100))
  final <- weights(raked)
})[["elapsed"]]
writeBin(as.double(final), args[3])
cat(sprintf("R_TIME %.3f %d\n", t, length(final)))

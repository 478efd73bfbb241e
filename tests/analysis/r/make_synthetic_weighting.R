# Write tests/analysis/data/synthetic_weighting.csv, the data set of the weighting topic (weighting.R).
# Run from the repository root:  Rscript tests/analysis/r/make_synthetic_weighting.R
args <- commandArgs(trailingOnly = FALSE)
R_DIR <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", args, value = TRUE)[1])))

# Seeded synthetic household survey: 4 districts (strata) x 6 communities (PSUs) x 12-20 adults,
# unequal design weights, raking margins age (4), sex (2), edu (3).
set.seed(20240611)
rows <- list()
for (h in 1:4) for (j in 1:6) {
  m <- sample(12:20, 1)
  rows[[length(rows) + 1]] <- data.frame(
    district = paste0("D", h), community = paste0("D", h, "C", j),
    age = sample(c("18-34", "35-49", "50-64", "65+"), m, replace = TRUE, prob = c(.2, .3, .3, .2)),
    sex = sample(c("F", "M"), m, replace = TRUE),
    edu = sample(c("low", "mid", "high"), m, replace = TRUE, prob = c(.3, .5, .2)),
    w = round(runif(m, 20, 120) * h, 6))
}
syn <- do.call(rbind, rows)
syn$aware <- rbinom(nrow(syn), 1, plogis(-0.3 + 0.4 * (syn$edu == "high") + 0.3 * (syn$age == "65+")))
syn$score <- round(pmin(100, pmax(0, 60 + 10 * (syn$sex == "F") + rnorm(nrow(syn), 0, 15))), 1)
write.csv(syn, file.path(R_DIR, "..", "data", "synthetic_weighting.csv"), row.names = FALSE)

# The weight chain of a round read from the platform's database, recomputed in R for tests/rounds/test_weights.py.
# Usage: Rscript tests/rounds/r/weights_check.R households.csv margins.csv out.json
# It reuses the independent R chain of tests/analysis/r/weight_chain.R (steps 1-4 in plain R, step 5 with
# survey's rake and trimWeights, then svyby(~I(A1 %in% c(1,2)), ~community, raked, svyciprop, method="logit")).
args <- commandArgs(trailingOnly = TRUE)
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])))
source(file.path(here, "..", "..", "analysis", "r", "weight_chain.R"))
options(survey.lonely.psu = "adjust")
h <- read.csv(args[1], stringsAsFactors = FALSE, colClasses = c(unit = "character", building = "character"))
mg <- read.csv(args[2], stringsAsFactors = FALSE, colClasses = c(category = "character"))
out <- chain_round("srs", h, mg, chain_settings)
write_json(out, args[3], digits = NA, auto_unbox = TRUE, na = "null")

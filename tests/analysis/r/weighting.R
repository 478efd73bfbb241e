# Topic "weighting" of tests/analysis/reference.json: post-stratification, raking and trimming in R's survey
# package, for tests/analysis/test_weighting_reference.py and test_weighting_estimators.py.
# Sourced by make_reference.R (the one command), which provides read_data().
# Data (tests/analysis/data/): apistrat.csv, apiclus1.csv (export_api.R) and synthetic_weighting.csv
# (make_synthetic_weighting.R). Every number carries the R call that produced it.
data(api, package = "survey")  # apipop: the population margins below

# Tight convergence so that R's raked weights are the fixed point (R's default epsilon = 1 is loose).
tight <- list(maxit = 500, epsilon = 1e-14)

pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))    # table(apipop$stype)
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))     # table(apipop$sch.wide)
stopifnot(all(pop.types$Freq == as.vector(table(apipop$stype))))
stopifnot(all(pop.schwide$Freq == as.vector(table(apipop$sch.wide))))

apistrat <- read_data("apistrat.csv")
apiclus1 <- read_data("apiclus1.csv")
syn <- read_data("synthetic_weighting.csv")
syn.age <- data.frame(age = c("18-34", "35-49", "50-64", "65+"), Freq = c(30000, 28000, 26000, 16000))
syn.sex <- data.frame(sex = c("F", "M"), Freq = c(51500, 48500))
syn.edu <- data.frame(edu = c("low", "mid", "high"), Freq = c(35000, 45000, 20000))
syn.cell <- as.data.frame(xtabs(~ age + sex, data = expand.grid(age = syn.age$age, sex = syn.sex$sex)))
syn.cell$Freq <- c(15000, 14500, 13000, 8500, 15000, 13500, 13000, 7500)

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dsyn <- svydesign(id = ~community, strata = ~district, weights = ~w, data = syn, nest = TRUE)

designs <- list(
  strat_ps_stype = list(d = postStratify(dstrat, ~stype, pop.types), data = "apistrat.csv",
    call = "postStratify(svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc), ~stype, pop.types)"),
  strat_ps_schwide = list(d = postStratify(dstrat, ~sch.wide, pop.schwide), data = "apistrat.csv",
    call = "postStratify(svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc), ~sch.wide, pop.schwide)"),
  clus1_ps_stype = list(d = postStratify(dclus1, ~stype, pop.types), data = "apiclus1.csv",
    call = "postStratify(svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc), ~stype, pop.types)"),
  clus1_ps_stype_schwide = list(d = postStratify(postStratify(dclus1, ~stype, pop.types), ~sch.wide, pop.schwide),
    data = "apiclus1.csv",
    call = "postStratify(postStratify(svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc), ~stype, pop.types), ~sch.wide, pop.schwide)"),
  strat_rake = list(d = rake(dstrat, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = tight),
    data = "apistrat.csv",
    call = "rake(svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc), list(~stype, ~sch.wide), list(pop.types, pop.schwide), control=list(maxit=500, epsilon=1e-14))"),
  clus1_rake = list(d = rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = tight),
    data = "apiclus1.csv",
    call = "rake(svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc), list(~stype, ~sch.wide), list(pop.types, pop.schwide), control=list(maxit=500, epsilon=1e-14))"),
  syn_ps_cell = list(d = postStratify(dsyn, ~age + sex, syn.cell), data = "synthetic_weighting.csv",
    call = "postStratify(svydesign(id=~community, strata=~district, weights=~w, data=syn, nest=TRUE), ~age+sex, syn.cell)"),
  syn_rake = list(d = rake(dsyn, list(~age, ~sex, ~edu), list(syn.age, syn.sex, syn.edu), control = tight),
    data = "synthetic_weighting.csv",
    call = "rake(svydesign(id=~community, strata=~district, weights=~w, data=syn, nest=TRUE), list(~age, ~sex, ~edu), list(syn.age, syn.sex, syn.edu), control=list(maxit=500, epsilon=1e-14))")
)
# Trimming a raked design: R keeps the raking information (postStrata) and changes only the weights.
rk <- designs$clus1_rake$d
designs$clus1_rake_trim <- list(d = trimWeights(rk, lower = 32, upper = 55), data = "apiclus1.csv",
  call = "trimWeights(<clus1_rake>, lower=32, upper=55)")
# strict=TRUE with both bounds recurses without end in R here (clipped rows get part of the next spread),
# so the strict reference uses an upper bound only, where R stops after its second pass.
designs$clus1_rake_trim_strict <- list(d = trimWeights(rk, upper = 55, strict = TRUE),
  data = "apiclus1.csv", call = "trimWeights(<clus1_rake>, upper=55, strict=TRUE)")
rs <- designs$syn_rake$d
designs$syn_rake_trim <- list(d = trimWeights(rs, upper = 1.5 * mean(weights(rs))), data = "synthetic_weighting.csv",
  call = "trimWeights(<syn_rake>, upper=1.5*mean(weights(<syn_rake>)))")
designs$syn_rake_trim_strict <- list(d = trimWeights(rs, upper = 1.5 * mean(weights(rs)), strict = TRUE),
  data = "synthetic_weighting.csv", call = "trimWeights(<syn_rake>, upper=1.5*mean(weights(<syn_rake>)), strict=TRUE)")

one <- function(stat, call, kind, variable, domain = NULL) {
  list(r_call = call, kind = kind, variable = variable, domain = domain,
       estimate = unname(coef(stat))[1], se = unname(SE(stat))[1])
}
estimates <- function(d, data) {
  out <- list()
  if (data == "synthetic_weighting.csv") {
    out[[1]] <- one(svymean(~score, d), "svymean(~score, design)", "mean", "score")
    out[[2]] <- one(svymean(~aware, d), "svymean(~aware, design)", "mean", "aware")
    out[[3]] <- one(svytotal(~aware, d), "svytotal(~aware, design)", "total", "aware")
    for (lv in c("F", "M")) {
      out[[length(out) + 1]] <- one(svymean(~score, subset(d, sex == lv)),
        sprintf("svymean(~score, subset(design, sex == '%s'))", lv), "mean", "score", list("sex", lv))
    }
    for (lv in c("high", "low")) {
      out[[length(out) + 1]] <- one(svymean(~aware, subset(d, edu == lv)),
        sprintf("svymean(~aware, subset(design, edu == '%s'))", lv), "mean", "aware", list("edu", lv))
    }
    out[[length(out) + 1]] <- one(svymean(~score, subset(d, community == "D2C3")),
      "svymean(~score, subset(design, community == 'D2C3'))", "mean", "score", list("community", "D2C3"))
  } else {
    out[[1]] <- one(svymean(~api00, d), "svymean(~api00, design)", "mean", "api00")
    out[[2]] <- one(svytotal(~enroll, d), "svytotal(~enroll, design)", "total", "enroll")
    out[[3]] <- one(svymean(~api99, d), "svymean(~api99, design)", "mean", "api99")
    for (lv in c("Yes", "No")) {
      out[[length(out) + 1]] <- one(svymean(~api00, subset(d, comp.imp == lv)),
        sprintf("svymean(~api00, subset(design, comp.imp == '%s'))", lv), "mean", "api00", list("comp.imp", lv))
    }
    out[[length(out) + 1]] <- one(svymean(~api00, subset(d, stype == "H")),
      "svymean(~api00, subset(design, stype == 'H'))", "mean", "api00", list("stype", "H"))
  }
  out
}
ref <- list()
for (nm in names(designs)) {
  x <- designs[[nm]]
  ref[[nm]] <- list(data = x$data, r_call = x$call, weights = unname(weights(x$d)),
                    estimates = estimates(x$d, x$data))
}
# Variance of the same designs treated as if the weights were fixed (no calibration information), to show it differs.
nocal <- function(d) { d$postStrata <- NULL; d }
ref$clus1_rake$se_api00_ignoring_calibration <- as.numeric(SE(svymean(~api00, nocal(designs$clus1_rake$d))))
frame <- function(p) setNames(as.list(p$Freq), as.character(do.call(paste, c(p[names(p) != "Freq"], sep = "|"))))
populations <- list(stype = frame(pop.types), sch.wide = frame(pop.schwide), age = frame(syn.age),
                    sex = frame(syn.sex), edu = frame(syn.edu), age_sex = frame(syn.cell))
bounds <- list(syn_rake_trim_upper = 1.5 * mean(weights(rs)))
reference <- function() list(populations = populations, bounds = bounds, cases = ref)

# The weight chain of docs rounds-and-weights.md, steps 1-4 in plain R and step 5 with survey's rake/trimWeights,
# written independently of analysis/_chain.py. Data: tests/analysis/data/chain_*.csv (make_chain_data.py).
# Topic "weight_chain" of the R reference (tests/analysis/r/make_reference.R sources it and calls reference()).
suppressMessages({library(survey); library(jsonlite)})

chain_settings <- list(cap = 4, min_respondents = 5, trim = list(srs = c(0.4, 2.0)),
                       positive = c(1, 2), epsilon = 1e-12, maxit = 1000)

# Classes: communities; small ones (< k respondents) pooled by street, then district, then joined to the
# large class sharing a street (else district, else city) with the fewest respondents.
chain_label <- function(x) paste(sort(unique(as.character(x)), method = "radix"), collapse = "+")

chain_classes <- function(cm, k) {
  g <- as.character(cm$community)
  size <- function(g) tapply(cm$r, g, sum)[g]
  for (level in c("street", "district")) {
    small <- size(g) < k
    for (key in unique(cm[[level]][small])) {
      pool <- unique(g[small & cm[[level]] == key])
      if (length(pool) > 1) g[g %in% pool] <- chain_label(cm$community[g %in% pool])
    }
  }
  small <- size(g) < k
  if (!any(small)) return(g)
  if (all(small)) return(rep(chain_label(cm$community), nrow(cm)))
  tot <- tapply(cm$r, g, sum)
  target <- g
  for (sg in unique(g[small])) {
    rows <- g == sg
    for (level in c("street", "district", "city")) {
      near <- if (level == "city") rep(TRUE, nrow(cm)) else cm[[level]] %in% cm[[level]][rows]
      cand <- unique(g[!small & near])
      if (length(cand)) {
        target[rows] <- cand[order(tot[cand], cand, method = "radix")][1]
        break
      }
    }
  }
  for (t in unique(target)) target[target == t] <- chain_label(cm$community[target == t])
  target
}

chain_steps <- function(h, s) {
  resp <- h$outcome == "I"
  known <- h$outcome %in% c("I", "P", "R", "NC", "O", "NE")
  elig <- h$outcome %in% c("I", "P", "R", "NC", "O")
  cm <- aggregate(list(r = resp), h[c("community", "street", "district")], sum)
  cls <- setNames(chain_classes(cm, s$min_respondents), cm$community)[as.character(h$community)]
  d <- 1 / h$probability
  f1 <- ifelse(known, ave(d, cls, FUN = sum) / ave(d * known, cls, FUN = sum), 0)
  a1 <- d * f1
  f2 <- ifelse(!known, NA, ifelse(resp, ave(a1 * elig, cls, FUN = sum) / ave(a1 * resp, cls, FUN = sum),
                                  ifelse(elig, 0, 1)))
  a2 <- ifelse(known, a1 * f2, 0)
  adults <- ifelse(resp, pmin(h$H1, s$cap), NA)
  data.frame(h, class = unname(cls), base_weight = d, unknown_factor = f1, eligibility_weight = a1,
             nonresponse_factor = f2, nonresponse_weight = a2, adults = adults, person_weight = a2 * adults,
             respondent = resp, stringsAsFactors = FALSE)
}

chain_design_call <- function(design) {
  if (design == "two-stage")
    "svydesign(ids=~building, strata=~community, fpc=~fpc, weights=~person_weight, nest=TRUE, data=respondents)"
  else "svydesign(ids=~1, strata=~community, fpc=~fpc, weights=~person_weight, data=respondents)"
}

chain_round <- function(name, h, mg, s) {
  steps <- chain_steps(h, s)
  respondents <- steps[steps$respondent, ]
  respondents$dS2 <- paste(respondents$district, respondents$S2, sep = "|")
  des <- eval(parse(text = chain_design_call(name)))
  m <- mg[mg$round == name, ]
  pop_s3 <- data.frame(S3 = m$category[m$scope == "*"], Freq = m$total[m$scope == "*"])
  dm <- m[m$scope != "*", ]
  pop_s2 <- data.frame(dS2 = paste(dm$scope, dm$category, sep = "|"), Freq = dm$total)
  ctl <- list(epsilon = s$epsilon, maxit = s$maxit, verbose = FALSE)
  rake_call <- "rake(des, list(~S3, ~dS2), list(pop_s3, pop_s2), control=list(epsilon=1e-12, maxit=1000))"
  raked <- rake(des, list(~S3, ~dS2), list(pop_s3, pop_s2), control = ctl)
  calls <- rake_call
  bounds <- s$trim[[name]]
  if (!is.null(bounds)) {
    med <- median(weights(raked))
    raked <- trimWeights(raked, lower = bounds[1] * med, upper = bounds[2] * med)
    raked <- rake(raked, list(~S3, ~dS2), list(pop_s3, pop_s2), control = ctl)
    calls <- c(calls, sprintf("trimWeights(raked, lower=%g*median(weights(raked)), upper=%g*median(weights(raked)))",
                              bounds[1], bounds[2]), "rake(trimmed, <same margins>)")
  }
  final <- rep(NA_real_, nrow(steps))
  final[steps$respondent] <- weights(raked)
  rate <- svyby(~I(A1 %in% c(1, 2)), ~community, raked, svyciprop, method = "logit", vartype = c("se", "ci"))
  score <- svymean(~I((Q1 - 1) * 25), raked)
  score_by <- svyby(~I((Q1 - 1) * 25), ~district, raked, svymean)
  list(
    design = chain_design_call(name), calibration = calls, trim = bounds,
    households = list(
      community = steps$community, building = steps$building, unit = steps$unit, class = steps$class,
      base_weight = steps$base_weight, unknown_factor = steps$unknown_factor,
      eligibility_weight = steps$eligibility_weight, nonresponse_factor = steps$nonresponse_factor,
      nonresponse_weight = steps$nonresponse_weight, adults = steps$adults,
      person_weight = ifelse(steps$respondent, steps$person_weight, NA), final_weight = final,
      call = "steps 1-4: ave(d, class, FUN=sum) ratios as in chain_steps(); final_weight = weights(raked)"),
    rate = list(call = "svyby(~I(A1 %in% c(1,2)), ~community, raked, svyciprop, method=\"logit\", vartype=c(\"se\",\"ci\"))",
                community = as.character(rate$community), estimate = unname(coef(rate)), se = unname(SE(rate)),
                ci_low = unname(rate$ci_l), ci_high = unname(rate$ci_u)),
    score = list(call = "svymean(~I((Q1 - 1) * 25), raked)", estimate = unname(coef(score)),
                 se = unname(SE(score))),
    score_by_district = list(call = "svyby(~I((Q1 - 1) * 25), ~district, raked, svymean)",
                             district = as.character(score_by$district), estimate = unname(coef(score_by)),
                             se = unname(SE(score_by)))
  )
}

weight_chain <- function(data_dir = "../data") {
  options(survey.lonely.psu = "adjust")
  h <- read.csv(file.path(data_dir, "chain_households.csv"), stringsAsFactors = FALSE,
                colClasses = c(unit = "character"))
  mg <- read.csv(file.path(data_dir, "chain_margins.csv"), stringsAsFactors = FALSE,
                 colClasses = c(category = "character"))
  rounds <- unique(h$round)
  out <- lapply(rounds, function(r) chain_round(r, h[h$round == r, ], mg, chain_settings))
  names(out) <- rounds
  list(settings = chain_settings, lonely_psu = "adjust", rounds = out,
       r_version = R.version.string, survey_version = as.character(packageVersion("survey")))
}

# The topic's entry point for make_reference.R (which defines DATA_DIR).
reference <- function() weight_chain(DATA_DIR)

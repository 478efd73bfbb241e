# Topic "estimates" of tests/analysis/reference.json: R's survey package on designs x estimators x interval
# methods x domains x lonely-PSU policies (test_r_reference.py) and on calibrated designs through the command
# line (test_cli.py). Sourced by make_reference.R (the one command), which provides read_data().
# Data (tests/analysis/data/): apistrat.csv, apiclus1.csv, apiclus2.csv (export_api.R), synthetic_domains.csv
# (make_synthetic.py), margins_*.csv.
options(survey.lonely.psu = "fail")

# In R a data set is called by its name below (as in the r_design calls); the tests read the file.
files <- c(apistrat = "apistrat.csv", apiclus1 = "apiclus1.csv", apiclus2 = "apiclus2.csv",
           synthetic = "synthetic_domains.csv")
api <- lapply(files, read_data)

# One design per case: the Python side builds Design(...) from "design"; "r_design" is the R call.
designs <- list(
  strat = list(data = "apistrat", r = "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)",
               py = list(weights = "pw", strata = "stype", fpc = "fpc")),
  clus1 = list(data = "apiclus1", r = "svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)",
               py = list(weights = "pw", psu = "dnum", fpc = "fpc")),
  clus2 = list(data = "apiclus2", r = "svydesign(id=~dnum+snum, weights=~pw, data=apiclus2)",
               py = list(weights = "pw", psu = "dnum")),
  synthetic = list(data = "synthetic",
                   r = "svydesign(id=~building, strata=~community, weights=~weight, fpc=~fpc, nest=TRUE, data=synthetic)",
                   py = list(weights = "weight", strata = "community", psu = "building", fpc = "fpc"),
                   lonely = "adjust")
)
make <- function(spec) {
  data <- api[[spec$data]]
  eval(parse(text = sub(paste0("data=", spec$data), "data=data", spec$r, fixed = TRUE)))
}

# The rows of one domain level and non-missing y: what svyby and na.rm=TRUE subset to.
sub_design <- function(des, by, lev, var) {
  v <- des$variables
  keep <- !is.na(v[[var]])
  if (!is.null(by)) keep <- keep & !is.na(v[[by]]) & v[[by]] == lev
  des[keep, ]
}
levels_of <- function(des, by) if (is.null(by)) list(NULL) else as.list(sort(unique(na.omit(des$variables[[by]]))))

est_mean <- function(des, var, by, statistic) {
  rows <- lapply(levels_of(des, by), function(lev) {
    s <- sub_design(des, by, lev, var)
    f <- as.formula(paste0("~`", var, "`"))
    m <- if (statistic == "mean") svymean(f, s, deff = TRUE) else svytotal(f, s, deff = TRUE)
    df <- degf(s)
    ci <- confint(m, df = df)
    c(estimate = unname(coef(m)), se = unname(SE(m)), ci_low = ci[1], ci_high = ci[2], df = df,
      deff = unname(deff(m)), n = nrow(s))
  })
  rows
}

est_prop <- function(des, var, value, by, method) {
  lapply(levels_of(des, by), function(lev) {
    s <- sub_design(des, by, lev, var)
    test <- paste0("`", var, "` %in% ", deparse(value))
    f <- as.formula(paste0("~I(", test, ")"))
    m <- svymean(as.formula(paste0("~as.numeric(", test, ")")), s, deff = TRUE)
    p <- as.vector(coef(m)); se <- as.vector(SE(m)); df <- degf(s)
    if (method == "wilson") {  # not in survey 4.1; the formula of statistics.md on R's p, SE, degf
      ne <- p * (1 - p) / se^2; t <- qt(0.975, df)
      ci <- (p + t^2 / (2 * ne) + c(-1, 1) * t / (2 * ne) * sqrt(4 * ne * p * (1 - p) + t^2)) / (1 + t^2 / ne)
    } else {
      ci <- as.vector(attr(svyciprop(f, s, method = method), "ci"))
    }
    c(estimate = p, se = se, ci_low = ci[1], ci_high = ci[2], df = df, deff = unname(deff(m)), n = nrow(s))
  })
}

est_composite <- function(des, vars, values, a, by) {
  lapply(levels_of(des, by), function(lev) {
    s <- sub_design(des, by, lev, vars[1])
    terms <- paste0("as.numeric(`", vars, "` == ", sapply(values, deparse), ")", collapse = " + ")
    m <- svymean(as.formula(paste("~", terms)), s)
    k <- svycontrast(m, a / sum(a))
    df <- degf(s)
    ci <- confint(k, df = df)
    c(estimate = unname(coef(k)), se = unname(SE(k)), ci_low = ci[1], ci_high = ci[2], df = df, n = nrow(s))
  })
}

cases <- list()
add <- function(design, kind, variable, r_call, rows, by = NULL, value = NULL, method = NULL, extra = list()) {
  spec <- designs[[design]]
  levels <- if (is.null(by)) NULL else vapply(levels_of(make(spec), by), as.character, "")
  out <- c(list(design = design, data = files[[spec$data]], r_design = spec$r, py_design = spec$py,
                lonely_psu = if (is.null(spec$lonely)) "fail" else spec$lonely,
                kind = kind, variable = variable, value = value, by = by, ci_method = method, r_call = r_call,
                levels = levels), extra)
  for (field in names(rows[[1]])) out[[field]] <- unname(vapply(rows, function(r) r[[field]], 0))
  cases[[length(cases) + 1]] <<- out
}

for (d in c("strat", "clus1", "clus2")) {
  des <- make(designs[[d]])
  add(d, "mean", "api00", "svymean(~api00, des, deff=TRUE); confint(., df=degf(des))", est_mean(des, "api00", NULL, "mean"))
  add(d, "mean", "api00", "svyby(~api00, ~stype, des, svymean, deff=TRUE): svymean(~api00, subset(des, stype==lev), deff=TRUE); confint(., df=degf(subset))",
      est_mean(des, "api00", "stype", "mean"), by = "stype")
  by_case <- length(cases)
  add(d, "mean", "enroll", "svymean(~enroll, des, na.rm=TRUE, deff=TRUE); df=degf(subset(des, !is.na(enroll)))",
      est_mean(des, "enroll", NULL, "mean"))
  add(d, "total", "enroll", "svytotal(~enroll, des, na.rm=TRUE, deff=TRUE); confint(., df=degf(subset))",
      est_mean(des, "enroll", NULL, "total"))
  add(d, "total", "enroll", "svyby(~enroll, ~stype, des, svytotal, na.rm=TRUE, deff=TRUE) per level", est_mean(des, "enroll", "stype", "total"), by = "stype")
  for (m in c("logit", "xlogit", "mean", "beta", "wilson")) {
    add(d, "proportion", "sch.wide", sprintf("svyciprop(~I(sch.wide==\"Yes\"), des, method=\"%s\")", m),
        est_prop(des, "sch.wide", "Yes", NULL, m), value = "Yes", method = m)
    add(d, "proportion", "sch.wide", sprintf("svyby(~I(sch.wide==\"Yes\"), ~stype, des, svyciprop, vartype=c(\"se\",\"ci\"), method=\"%s\")", m),
        est_prop(des, "sch.wide", "Yes", "stype", m), by = "stype", value = "Yes", method = m)
  }
  add(d, "composite", "sch.wide+comp.imp+both", "svycontrast(svymean(~I(sch.wide==\"Yes\")+I(comp.imp==\"Yes\")+I(both==\"Yes\"), des), c(.5,.3,.2)); confint(., df=degf(des))",
      est_composite(des, c("sch.wide", "comp.imp", "both"), list("Yes", "Yes", "Yes"), c(5, 3, 2), NULL),
      extra = list(items = c("sch.wide", "comp.imp", "both"), item_weights = c(5, 3, 2)))
  add(d, "composite", "sch.wide+comp.imp+both", "svycontrast(svymean(~I(sch.wide==\"Yes\")+..., subset(des, stype==lev)), c(.5,.3,.2))",
      est_composite(des, c("sch.wide", "comp.imp", "both"), list("Yes", "Yes", "Yes"), c(5, 3, 2), "stype"), by = "stype",
      extra = list(items = c("sch.wide", "comp.imp", "both"), item_weights = c(5, 3, 2)))
  # a check that the per-level subsets above are what svyby computes
  by_ref <- svyby(~api00, ~stype, des, svymean)
  stopifnot(isTRUE(all.equal(unname(SE(by_ref)), cases[[by_case]]$se)))
}

# Lonely PSUs: apiclus1 with districts as strata and schools as PSUs (many one-school districts).
for (policy in c("remove", "certainty", "adjust", "average")) {
  options(survey.lonely.psu = policy)
  designs$lonely <- list(data = "apiclus1", r = "svydesign(id=~1, strata=~dnum, weights=~pw, data=apiclus1)",
                         py = list(weights = "pw", strata = "dnum"), lonely = policy)
  des <- make(designs$lonely)
  add("lonely", "mean", "api00", sprintf("options(survey.lonely.psu=\"%s\"); svymean(~api00, des, deff=TRUE)", policy),
      est_mean(des, "api00", NULL, "mean"))
  add("lonely", "mean", "api00", sprintf("options(survey.lonely.psu=\"%s\"); svyby(~api00, ~stype, des, svymean)", policy),
      est_mean(des, "api00", "stype", "mean"), by = "stype")
}
designs$lonely <- NULL

# The synthetic household survey: communities as strata, buildings as PSUs, community C07 has one building.
options(survey.lonely.psu = "adjust")
des <- make(designs$synthetic)
add("synthetic", "mean", "score", "svymean(~score, des, na.rm=TRUE, deff=TRUE)", est_mean(des, "score", NULL, "mean"))
add("synthetic", "mean", "score", "svyby(~score, ~community, des, svymean, na.rm=TRUE, deff=TRUE)", est_mean(des, "score", "community", "mean"), by = "community")
add("synthetic", "mean", "score", "svyby(~score, ~age, des, svymean, na.rm=TRUE, deff=TRUE)", est_mean(des, "score", "age", "mean"), by = "age")
for (m in c("logit", "beta")) {
  add("synthetic", "proportion", "aware", sprintf("svyby(~I(aware==1), ~community, des, svyciprop, na.rm=TRUE, method=\"%s\")", m),
      est_prop(des, "aware", 1, "community", m), by = "community", value = 1, method = m)
  add("synthetic", "proportion", "support", sprintf("svyby(~I(support==4 | support==5), ~age, des, svyciprop, method=\"%s\")", m),
      est_prop(des, "support", c(4, 5), "age", m), by = "age", value = c(4, 5), method = m)
}

# Calibrated designs through the command line (tests/analysis/test_cli.py): apiclus1, margins_*.csv.
options(survey.lonely.psu = "fail")
cli_cases <- list()
clus1 <- make(designs$clus1)
pop_stype <- read_data("margins_stype.csv"); names(pop_stype)[2] <- "Freq"
pop_sw <- read_data("margins_schwide.csv"); names(pop_sw)[2] <- "Freq"
calibrated <- list(
  poststratify = list(des = postStratify(clus1, ~stype, pop_stype),
                      r = "postStratify(clus1, ~stype, margins_stype)", argv = c("--poststratify", "stype=margins_stype.csv")),
  rake = list(des = rake(clus1, list(~stype, ~sch.wide), list(pop_stype, pop_sw), control = list(epsilon = 1e-12, maxit = 200)),
              r = "rake(clus1, list(~stype, ~sch.wide), list(margins_stype, margins_schwide))",
              argv = c("--rake", "stype=margins_stype.csv", "sch.wide=margins_schwide.csv"))
)
for (name in names(calibrated)) {
  cal <- calibrated[[name]]
  for (by in list(NULL, "comp.imp")) {
    for (method in c("logit", "beta")) {
      rows <- c(est_mean(cal$des, "api00", by, "mean"), est_prop(cal$des, "sch.wide", "Yes", by, method))
      levels <- if (is.null(by)) NULL else vapply(levels_of(cal$des, by), as.character, "")
      out <- list(r_call = paste0(cal$r, "; svymean(~api00) and svyciprop(~I(sch.wide==\"Yes\"), method=\"", method,
                                  "\")", if (!is.null(by)) paste0(" by ", by) else ""),
                  argv = c("estimate", "apiclus1.csv", "--weights", "pw", "--psu", "dnum", "--fpc", "fpc", cal$argv,
                           if (!is.null(by)) c("--by", by), "--mean", "api00", "--proportion", "sch.wide=Yes",
                           "--ci-method", method),
                  levels = levels)
      for (field in names(rows[[1]])) out[[field]] <- unname(vapply(rows, function(r) r[[field]], 0))
      cli_cases[[length(cli_cases) + 1]] <- out
    }
  }
}

reference <- function() list(cases = cases, cli_cases = cli_cases)

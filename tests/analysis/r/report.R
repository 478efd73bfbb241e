# Topic "report" of tests/analysis/reference.json: a report card (every item rate / score and every indicator at
# city, district, street and community level) of two raked rounds, with R's survey, and Fay-Herriot EBLUPs with
# metafor. Data: tests/analysis/data/report_*.csv (make_report_data.py). Sourced by make_reference.R, which
# provides read_data() and calls reference(). Test: tests/analysis/test_report_reference.py.
suppressMessages({library(survey); library(metafor)})

SCORES <- c(`1` = 100, `2` = 75, `3` = 50, `4` = 25, `5` = 0)
ITEMS <- list(K1 = list(positive = 1), K2 = list(positive = 1), S1 = list(positive = c(1, 2)),
              M1 = list(positive = c(1, 2), scores = SCORES), M2 = list(positive = c(1, 2), scores = SCORES),
              Q1 = list(scores = SCORES))
INDICATORS <- list(aware = list(kind = "rate", items = c("K1", "K2"), weights = c(1, 1)),
                   satisfied = list(kind = "rate", items = c("M1", "M2"), weights = c(2, 1)),
                   index = list(kind = "score", items = c("M1", "M2", "Q1"), weights = c(1, 1, 1)))
LEVELS <- c("city", "district", "street", "community")
DESIGN_CALL <- paste("rake(svydesign(ids=~1, strata=~community, fpc=~fpc, weights=~weight, data=round),",
                     "list(~S3, ~district), list(pop_S3, pop_district), control=list(epsilon=1e-12, maxit=1000))")

# Coded columns: r_ (rate, 9 counted), x_ (rate without 9), c_ (code 9), s_ (score); numerators n_ and
# valid-answer denominators v_ of the indicators (svyratio).
code_items <- function(d) {
  d$city <- "city"
  for (k in names(ITEMS)) {
    y <- d[[k]]; it <- ITEMS[[k]]
    if (!is.null(it$positive)) {
      d[[paste0("r_", k)]] <- ifelse(is.na(y), NA, as.numeric(y %in% it$positive))
      d[[paste0("x_", k)]] <- ifelse(is.na(y) | y == 9, NA, as.numeric(y %in% it$positive))
      d[[paste0("c_", k)]] <- ifelse(is.na(y), NA, as.numeric(y == 9))
    }
    if (!is.null(it$scores)) d[[paste0("s_", k)]] <- unname(it$scores[as.character(y)])
  }
  d
}

report_design <- function(d, mg) {
  des <- svydesign(ids = ~1, strata = ~community, fpc = ~fpc, weights = ~weight, data = d)
  s3 <- mg[mg$variable == "S3", ]; di <- mg[mg$variable == "district", ]
  pop_S3 <- data.frame(S3 = as.integer(s3$category), Freq = s3$total)
  pop_district <- data.frame(district = di$category, Freq = di$total)
  rake(des, list(~S3, ~district), list(pop_S3, pop_district), control = list(epsilon = 1e-12, maxit = 1000))
}

units_of <- function(des, level) sort(unique(des$variables[[level]]), method = "radix")

# One estimate per unit: the rows of the unit with a value (svyby / na.rm=TRUE subsets, domain estimation).
by_unit <- function(des, level, keep_of, one) {
  rows <- lapply(units_of(des, level), function(u) {
    keep <- des$variables[[level]] == u & keep_of(des$variables)
    one(des[keep, ])
  })
  out <- list(units = units_of(des, level))
  for (f in names(rows[[1]])) out[[f]] <- unname(vapply(rows, function(r) r[[f]], 0))
  out
}

# On some small domains of the raked design (whose subsets keep the other rows with weight 0) svyciprop returns a
# degenerate interval, [0, 0], that does not contain p: those units are marked degenerate = 1 and carry the same
# logit interval computed from R's p, SE and degf (formula_low/high: plogis(qlogis(p) +/- qt(.975, df) SE/(p(1-p)))).
rate_one <- function(col) function(s) {
  f <- as.formula(paste0("~", col))
  m <- svymean(f, s, na.rm = TRUE); p <- as.vector(coef(m)); se <- as.vector(SE(m)); df <- degf(s)
  ci <- suppressWarnings(as.vector(attr(svyciprop(f, s, method = "logit"), "ci")))
  formula <- plogis(qlogis(p) + c(-1, 1) * qt(0.975, df) * se / (p * (1 - p)))
  c(estimate = p, se = se, ci_low = ci[1], ci_high = ci[2], df = df, n = sum(weights(s) != 0),
    degenerate = as.numeric(!(isTRUE(ci[1] < p) && isTRUE(p < ci[2]))),
    formula_low = formula[1], formula_high = formula[2])
}

score_one <- function(col) function(s) {
  m <- svymean(as.formula(paste0("~", col)), s, na.rm = TRUE); df <- degf(s); ci <- confint(m, df = df)
  c(estimate = unname(coef(m)), se = unname(SE(m)), ci_low = ci[1], ci_high = ci[2], df = df, n = sum(weights(s) != 0))
}

indicator_one <- function(ind) function(s) {
  v <- s$variables; pre <- if (ind$kind == "rate") "r_" else "s_"
  for (k in ind$items) {
    s$variables[[paste0("n_", k)]] <- ifelse(is.na(v[[paste0(pre, k)]]), 0, v[[paste0(pre, k)]])
    s$variables[[paste0("v_", k)]] <- as.numeric(!is.na(v[[paste0(pre, k)]]))
  }
  r <- svyratio(as.formula(paste("~", paste0("n_", ind$items, collapse = "+"))),
                as.formula(paste("~", paste0("v_", ind$items, collapse = "+"))), s, covmat = TRUE)
  k <- svycontrast(r, setNames(ind$weights / sum(ind$weights), paste0("n_", ind$items, "/v_", ind$items)))
  p <- as.vector(coef(k)); se <- as.vector(SE(k)); df <- degf(s)
  ci <- if (ind$kind == "rate") plogis(qlogis(p) + c(-1, 1) * qt(0.975, df) * se / (p * (1 - p)))
        else as.vector(confint(k, df = df))
  c(estimate = p, se = se, ci_low = ci[1], ci_high = ci[2], df = df, n = sum(weights(s) != 0))
}

has <- function(col) function(v) !is.na(v[[col]])

report_round <- function(des) {
  out <- list(items = list(), indicators = list())
  for (k in names(ITEMS)) {
    e <- list()
    for (level in LEVELS) {
      e[[level]] <- if (!is.null(ITEMS[[k]]$positive)) {
        c(by_unit(des, level, has(paste0("r_", k)), rate_one(paste0("r_", k))),
          list(without_9 = by_unit(des, level, has(paste0("x_", k)), rate_one(paste0("x_", k)))[c("estimate", "se")],
               share_9 = by_unit(des, level, has(paste0("c_", k)), rate_one(paste0("c_", k)))[c("estimate", "se")]))
      } else by_unit(des, level, has(paste0("s_", k)), score_one(paste0("s_", k)))
    }
    out$items[[k]] <- e
  }
  for (name in names(INDICATORS)) {
    ind <- INDICATORS[[name]]; pre <- if (ind$kind == "rate") "r_" else "s_"
    any_valid <- function(v) Reduce(`|`, lapply(ind$items, function(k) !is.na(v[[paste0(pre, k)]])))
    out$indicators[[name]] <- setNames(lapply(LEVELS, function(level) by_unit(des, level, any_valid,
                                                                                indicator_one(ind))), LEVELS)
  }
  out
}

# Fay-Herriot on the current round's community rates of `aware`: street dummies, or last round's rate.
fay_herriot_case <- function(est, mods, covariate, call) {
  ok <- est$se > 0
  yi <- est$estimate[ok]; vi <- est$se[ok]^2
  fit <- if (is.null(mods)) rma(yi, vi, method = "REML", control = list(threshold = 1e-12, maxiter = 1000))
         else rma(yi, vi, mods = mods[ok, , drop = FALSE], method = "REML",
                  control = list(threshold = 1e-12, maxiter = 1000))
  s2 <- fit$tau2; X <- fit$X; V <- s2 + vi; gamma <- s2 / V
  g1 <- gamma * vi
  g2 <- (1 - gamma)^2 * rowSums((X %*% solve(t(X) %*% (X / V))) * X)
  g3 <- vi^2 / V^3 * 2 / sum(1 / V^2)
  list(call = call, mse_call = "g1 = gamma*vi; g2 = (1-gamma)^2 x'(X'V^-1X)^-1 x; g3 = vi^2/V^3 * 2/sum(V^-2); mse = g1+g2+2*g3",
       units = est$units[ok], yi = yi, vi = vi, covariate = covariate[ok], sigma2_u = s2,
       beta = unname(as.vector(coef(fit))), eblup = unname(blup(fit)$pred), g1 = g1, g2 = g2, g3 = g3,
       mse = g1 + g2 + 2 * g3)
}

reference <- function() {
  d <- code_items(read_data("report_respondents.csv"))
  mg <- read.csv(file.path(DATA_DIR, "report_margins.csv"), stringsAsFactors = FALSE,
                 colClasses = c(category = "character"))
  rounds <- list()
  for (r in unique(d$round)) rounds[[r]] <- report_round(report_design(d[d$round == r, ], mg[mg$round == r, ]))
  cur <- rounds$srs$indicators$aware$community
  prev <- rounds$takeall$indicators$aware$community
  street <- sub("C[0-9]+$", "", cur$units)
  last <- prev$estimate[match(cur$units, prev$units)]
  fh <- list(
    street = fay_herriot_case(cur, model.matrix(~ factor(street))[, -1], street,
                              "rma(yi, vi, mods=~factor(street), method=\"REML\"); blup()"),
    last_round = fay_herriot_case(cur, cbind(last = last), last,
                                  "rma(yi, vi, mods=~last, method=\"REML\"); blup()"),
    intercept = fay_herriot_case(cur, NULL, rep(1, length(street)), "rma(yi, vi, method=\"REML\"); blup()"))
  list(design = DESIGN_CALL, items = ITEMS, indicators = INDICATORS,
       calls = list(rate = "svyciprop(~I(y %in% positive), subset(design, unit & !is.na(y)), method=\"logit\"); SE(svymean(.))",
                    score = "svymean(~score, subset(design, unit & !is.na(score))); confint(., df=degf(subset))",
                    indicator = paste("svycontrast(svyratio(~n_1+n_2, ~v_1+v_2, subset(design, unit & any item valid),",
                                      "covmat=TRUE), a/sum(a)); rates: plogis(qlogis(p) +/- qt(.975, df) se/(p(1-p)))")),
       rounds = rounds, fay_herriot = fh)
}

# dialtone's reports (report.html, the terminal report), in English. Every message is also in
# ../fr/report.ftl with the same variables (checked by the dialtone-i18n crate's tests). The
# verdict sentence (`statement-*`, `scope-*`, `why-*`) is also the `statement` of report.json,
# which is always English.

## Words

verdict-pass = pass
verdict-fail = fail
verdict-warn = warn
verdict-info = info
verdict-blocked = blocked
verdict-inconclusive = inconclusive
verdict-skip = skip
verdict-error = error

conformance-conforms = conforms
conformance-incomplete = incomplete
conformance-does_not_conform = does not conform

level-MUST = MUST
level-SHOULD = SHOULD
level-MAY = MAY

role-issuer = issuer
role-wallet = wallet
role-verifier = verifier
role-registry = registry
role-artifact = artifact

criterion-met = met
criterion-not_met = not met
criterion-not_tested = not tested
criterion-evidence_required = evidence required
criterion-not_applicable = not applicable

artifact-valid = valid
artifact-acceptable = acceptable
artifact-unverified = unverified
artifact-invalid = invalid
artifact-error = error
artifact-unsupported = unsupported

## The verdict sentence

statement-conforms = conforms: no MUST failure{ $warnings ->
        [0] {""}
        [one] {" "}(1 SHOULD warning)
       *[other] {" "}({ $warnings } SHOULD warnings)
    }; { $scope }
statement-invalid-artifacts = does not conform: { $invalid } of { $artifacts ->
        [one] 1 artifact
       *[other] { $artifacts } artifacts
    } invalid; { $scope }
statement-does-not-conform = does not conform: { $failures ->
        [one] 1 MUST failure
       *[other] { $failures } MUST failures
    }{ $known ->
        [0] {""}
       *[other] , { $known } of them known
    }{ $blocked ->
        [0] {""}
        [one] , 1 more case blocked by them
       *[other] , { $blocked } more cases blocked by them
    }; { $scope }
statement-incomplete = incomplete: { $why }; no MUST failure among the rest; { $scope }
why-errors = { $count ->
        [one] 1 case
       *[other] { $count } cases
    } could not be run (error)
why-inconclusive = { $count ->
        [one] 1 refusal
       *[other] { $count } refusals
    } inconclusive
why-unverified = { $count ->
        [one] 1 artifact
       *[other] { $count } artifacts
    } unverified (no key verified the signature: give --keys, --trust or --fetch-keys)
why-unsupported = { $count ->
        [one] 1 artifact
       *[other] { $count } artifacts
    } in a form dialtone does not read (unsupported: each says why)
scope-run = { $judged ->
        [one] 1 case
       *[other] { $judged } cases
    } judged ({ $not_applicable } not applicable) in { $plans ->
        [one] 1 plan
       *[other] { $plans } plans
    } for the { $roles } { $role_count ->
        [one] role
       *[other] roles
    }
scope-profiles = , profiles { $profiles }
scope-check = { $artifacts ->
        [one] 1 stored artifact
       *[other] { $artifacts } stored artifacts
    } checked, { $judged } rule results

## The HTML page

page-title = dialtone report: { $candidate }
page-heading = dialtone conformance report
col-plan = plan
col-verdict = verdict
col-cases = cases
col-must-failures = MUST failures
col-blocked = blocked
col-errors = errors
col-inconclusive = inconclusive
col-id = id
col-level = level
col-title = title
col-observed = observed
col-title-details = title and details
col-artifact = artifact
col-format = format
col-why = why
col-criterion = criterion
col-status = status
col-process-criterion = process and criterion
col-cases-behind = cases behind it
covers = Covers: { $suites } · roles { $roles }
covers-profiles = profiles { $profiles }
covers-cases = { $judged } cases judged, { $not_applicable } not applicable
candidate-by = by { $vendor }
candidate-roles = roles: { $roles }
generated = generated { $at } by dialtone { $version } · report schema { $schema }
seed = seed { $seed }
suites = suites: { $suites }
count-pass = pass { $count }
count-fail = fail { $count }
count-known = ({ $count } known)
count-blocked = blocked { $count }
count-warn = warn { $count }
count-info = info { $count }
count-inconclusive = inconclusive { $count }
count-skip = skip { $count }
count-error = error { $count }
count-total = of { $count } cases
conformance-statement = Conformance statement: { $claims }
artifacts-heading = Artifacts ({ $count })
attention-heading = Needs attention
known-failure-label = known failure: { $reason }
blocked-by-inline = blocked by
candidate-said = The candidate said:
known-failures-summary = known failures ({ $count })
known-failures-listed = listed in { $file }
expectations-heading = Expectations ({ $file }):
expectation-now-passes = now passes (remove the entry).
expectation-not-judged = { $id } was not judged in this run.
not-applicable-summary = not applicable to this candidate ({ $count } skipped)
chain-heading = End-to-end chain
role-section = { $role } ({ $passed } of { $total } pass)
details = details
spec-label = Spec:
pctf-label = PCTF:
driver-label = driver
blocked-by-label = Blocked by
blocked-by-step = the step it needs ({ $step }) failed there.
known-failure-heading = Known failure:
expected-label = Expected:
observed-label = Observed:
no-response = no response
error-label = Error:
artifact-evidence = artifact: { $label }
pctf-heading = PCTF criteria
pctf-source = { $catalogue }, version { $version }. Contains information licensed under the Open Government Licence – Canada.
pctf-statuses = A criterion no case of this run tests is “evidence required” when its process concerns a role under test (the candidate supplies evidence), else “not applicable”.
pctf-translation = The processes and criteria are the workbook's own text.
pctf-project-translation = project's translation
criterion-text = criterion text
criteria-untested = criteria without automated tests ({ $count })
observed-language-note = {""}

## The terminal report

terminal-plan = plan { $name } { $status } ({ $cases ->
        [one] 1 case
       *[other] { $cases } cases
    }, { $must_failures ->
        [one] 1 MUST failure
       *[other] { $must_failures } MUST failures
    }, { $blocked } blocked, { $errors ->
        [one] 1 error
       *[other] { $errors } errors
    })
terminal-candidate-said = { $observed } — the candidate said: { $said }
terminal-known-failure = known failure ({ $reason }): { $observed }
terminal-not-applicable = { $count } cases do not apply to this candidate (skip; --all lists them)
terminal-now-passes = expectations: { $id } now passes: remove it from { $file }
terminal-not-judged = expectations: { $id } was not judged in this run
terminal-totals = { $total } cases — { $pass } pass, { $fail } fail{ $known ->
        [0] {""}
       *[other] {" "}({ $known } known)
    }, { $blocked } blocked, { $warn } warn, { $info } info, { $inconclusive } inconclusive, { $skip } skip, { $error } error — { $ms } ms

## The interop matrix (matrix.html)
interop-title = dialtone interop matrix
interop-heading = Interop matrix
interop-chains = { $chains ->
        [one] 1 chain
       *[other] { $chains } chains
    } in { $ms } ms.
interop-explain = Each cell is one chain, driven through the candidates' control APIs and their public protocol interfaces: the row's issuer issues (OpenID4VCI), the column's wallet obtains and presents (OpenID4VP), the column's verifier judges. A failing cell names the step that failed and links to the run's full report with its evidence.
interop-corner = issuer ↓ · wallet → verifier →
interop-at-step = at
interop-report-link = report and evidence
interop-no-report = no report: the run could not start

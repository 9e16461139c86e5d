# dialtone's review service (`dialtone serve`), in English. Every message here is in
# ../fr/serve.ftl too, with the same variables (checked by the dialtone-i18n crate's tests).

service-name = dialtone review
nav-submissions = Submissions
nav-readiness = Readiness
nav-upload = Submit a bundle
nav-admin = Vendors and accounts
nav-account = Account
signed-in-as = Signed in as { $login }
role-evaluator = evaluator
role-vendor = vendor { $vendor }
logout = Sign out
login = Sign in
footer = Every bundle is verified on arrival: its signature, and the digest of every file it holds.

submissions-title = Submissions
submissions-public = Published results of conformance runs, per vendor, candidate and version.
submissions-evaluator = Every submission, per vendor, candidate and version.
submissions-vendor = { $vendor }'s submissions, and what others published.
submissions-all = All submissions
submissions-none = No submissions yet.
submissions-truncated = Only the first 1,000 submissions are listed: choose a vendor or candidate.

col-vendor = Vendor
col-candidate = Candidate
col-version = Version
col-verdict = Verdict
col-received = Received
col-runs = Runs
col-case = Case
col-title = Title
col-level = Level
col-spec = Specification
col-pctf = PCTF
col-criterion = Criterion
col-process = Process
col-status = Status
col-cases = Cases
col-judged = Judged
col-program = Program
col-jurisdiction = Jurisdiction
col-criteria = PCTF criteria
col-role = Role

verdict-conforms = Conforms
verdict-incomplete = Incomplete
verdict-does_not_conform = Does not conform

case-pass = pass
case-fail = fail
case-warn = warning
case-info = information
case-blocked = blocked
case-inconclusive = inconclusive
case-skip = not applicable
case-error = error
case-other = other

criterion-met = met
criterion-not_met = not met
criterion-not_tested = not tested
criterion-evidence_required = evidence required
criterion-not_applicable = not applicable
criterion-absent = no result
criterion-text = Criterion text

published = published
history-link = History

report-by = by { $vendor }
report-received = received { $when }
report-signer = Signed by
report-signer-registered = a signing key registered for { $vendor }
report-manifest-vendor = Vendor in the manifest
report-dialtone = dialtone
report-counts = Cases
report-counts-text = { $judged } judged: { $passed } passed, { $failed } failed, { $warned } warnings
report-view = View
report-view-full = full bundle, with the evidence
report-view-public = public view (no evidence)
report-compare-previous = Compare with the previous run
report-download-full = Download the signed bundle
report-download-public = Download the public view (signed)
report-original = dialtone's report, with the evidence
publish = Publish
unpublish = Withdraw from publication
publish-hint = Anyone sees the public view of a published submission: verdicts, clauses, PCTF criteria, no evidence.
report-english-note = What was expected and observed is shown in English, as dialtone's drivers and the candidates write it.
report-results = Results
report-expected-observed = Expected and observed
expected = Expected:
observed = Observed:
blocked-by = Blocked by:
report-unreadable = This report cannot be shown.
report-pctf = PCTF criteria
pctf-names-note = Criteria of the PSP PCTF v1.5 assessment workbook, as the workbook dialtone carries writes them.
pctf-project-translation = the project's translation

compare-title = Two runs of { $candidate }
compare-no-earlier = There is no earlier run of this candidate to compare with.
compare-from-to = From { $from } to { $to }
compare-earlier = Earlier run
compare-later = Later run
compare-button = Compare
compare-newly-failing = { $count ->
    [one] { $count } case newly failing
   *[other] { $count } cases newly failing
}
compare-newly-passing = { $count ->
    [one] { $count } case newly passing
   *[other] { $count } cases newly passing
}
compare-new-cases = { $count ->
    [one] { $count } new case
   *[other] { $count } new cases
}
compare-changed = { $count ->
    [one] { $count } other change
   *[other] { $count } other changes
}
compare-gone = { $count ->
    [one] { $count } case no longer run
   *[other] { $count } cases no longer run
}
compare-unchanged = { $count } unchanged
compare-section-newly-failing = Newly failing
compare-section-newly-passing = Newly passing
compare-section-changed = Other changes
compare-section-new-cases = New cases
compare-section-gone = No longer run
compare-before = Before
compare-after = After
compare-not-run = not run
compare-back = Back to { $candidate }
compare-not-same-candidate = These are not two runs of the same candidate.

history-title = History of { $candidate }
history-chart-title = Cases of each run of { $candidate }, by verdict

readiness-title = Readiness
readiness-lead = Per jurisdiction or program: which PCTF criteria the latest run of each candidate meets.
program-every-criterion = every criterion the runs test
program-new = New program
program-criteria-hint = Criterion ids of the PSP PCTF v1.5, separated by spaces (none: every criterion the runs test).
program-create = Create the program
program-criteria-count = { $count ->
    [one] { $count } criterion
   *[other] { $count } criteria
}
readiness-met = Met
readiness-met-count = { $met } of { $total }
program-name-required = A program needs a name (at most 120 characters).
program-unknown-criteria = Not criteria of the PSP PCTF v1.5:
program-exists = A program with this name exists.

upload-title = Submit a signed bundle
upload-lead = A bundle that dialtone run --sign or dialtone check --sign wrote (bundle.tar.gz), signed with a key registered for your organization.
upload-refused = The bundle was refused
upload-refused-file = The file at fault:
upload-see-existing = See it
upload-file = Bundle
upload-button = Submit
upload-cli-title = From the command line
upload-cli-url = URL
upload-cli-hint = The token is made on your Account page; dialtone submit reads it from DIALTONE_TOKEN.
upload-choose-vendor = Choose the vendor the bundle is submitted for.
upload-no-file = Choose a bundle file.
upload-duplicate = This bundle was already submitted.

login-name = Login
password = Password
login-failed = Wrong login or password.

account-title = Account
token-shown-once = Your new API token, shown this once (dialtone submit reads it from DIALTONE_TOKEN):
keys-title = Signing keys
keys-hint = Bundles are accepted only when signed by one of these keys. dialtone key public prints yours.
keys-none = No key registered yet.
keys-pem = Public key (PEM)
keys-register = Register the key
tokens-title = API tokens
tokens-hint = For dialtone submit BUNDLE --to URL.
tokens-none = No token yet.
tokens-label = Label
tokens-create = Make a token
password-title = Password
password-current = Current password
password-new = New password (at least { $min } characters)
password-change = Change the password
password-wrong = The current password is wrong.
password-too-short = The new password is too short.
password-changed = The password is changed.
key-registered = Key registered:
key-unreadable = This is not an Ed25519 public key in PEM (dialtone key public prints one).

admin-title = Vendors and accounts
account-password-once = The password of { $login }, shown this once:
admin-vendors = Vendors
admin-vendor-name = Vendor name
admin-vendor-create = Add the vendor
admin-accounts = Accounts
admin-account-create = Make the account
vendor-name-invalid = A vendor needs a name (at most 120 characters).
vendor-exists = A vendor with this name exists.
vendor-created = Vendor added.
login-invalid = A login is 1 to 64 letters, digits, and . _ - @.
login-exists = This login is taken.
account-created = Account made.

error-not-found = There is nothing here, or it is not yours to see.
error-csrf = The form expired or did not come from this site: load the page again.
error-forbidden = This is not yours to do.
report-evidence-required = { $count ->
    [one] { $count } more criterion of the roles under test concerns policy or operations, which no protocol shows: the candidate supplies evidence for it.
   *[other] { $count } more criteria of the roles under test concern policy or operations, which no protocol shows: the candidate supplies evidence for them.
}

# A `dialtone check` of stored artifacts: the verdict on each artifact, and two checks compared.
report-artifacts = Artifacts
report-artifacts-lead = The verdict on each stored artifact, and the rules it does not meet with the clauses they check.
col-artifact = Artifact
col-format = Format
col-not-met = Rules not met
artifact-valid = valid
artifact-acceptable = acceptable
artifact-unverified = unverified
artifact-invalid = invalid
artifact-error = not judged
artifact-unsupported = form not read
artifact-format-unknown = not recognized
artifact-all-met = every rule met
report-all-rules = Every rule result ({ $count })
report-check-counts = Rule results
compare-check-title = Two checks of stored artifacts by { $vendor }
compare-check-note = Checks of stored artifacts are compared artifact by artifact, by file name (an artifact of the same name in both checks is taken for the same artifact), and rule by rule.
compare-artifacts = Artifacts
compare-artifacts-newly-failing = { $count ->
    [one] { $count } artifact newly invalid
   *[other] { $count } artifacts newly invalid
}
compare-artifacts-newly-passing = { $count ->
    [one] { $count } artifact newly valid
   *[other] { $count } artifacts newly valid
}
compare-artifacts-new = { $count ->
    [one] { $count } new artifact
   *[other] { $count } new artifacts
}
compare-artifacts-changed = { $count ->
    [one] { $count } other change
   *[other] { $count } other changes
}
compare-artifacts-gone = { $count ->
    [one] { $count } artifact no longer checked
   *[other] { $count } artifacts no longer checked
}
compare-artifacts-section-newly-failing = Artifacts newly invalid
compare-artifacts-section-newly-passing = Artifacts newly valid
compare-artifacts-section-changed = Other changes of artifacts
compare-artifacts-section-new = New artifacts
compare-artifacts-section-gone = Artifacts no longer checked
compare-rules = Rule results
compare-not-checked = not checked
compare-not-same-kind = A check of stored artifacts and a run against a candidate judge different things: they are not compared.

# Hardening: forms too large, sign-ins refused after too many failures.
error-too-large = The form is larger than this service accepts.
login-throttled = { $minutes ->
    [one] Too many failed sign-ins for this login or from this address: try again in { $minutes } minute.
   *[other] Too many failed sign-ins for this login or from this address: try again in { $minutes } minutes.
}

# A submission withdrawn (deleted), kept in the audit log and shown in its candidate's history.
withdraw = Withdraw this submission
withdraw-reason = Why
withdraw-hint = Deletes the submission and its bundle; who withdrew it, when and why stay in its candidate's history.
history-withdrawn = Withdrawn submissions
col-withdrawn = Withdrawn
col-withdrawn-by = By
col-reason = Why
